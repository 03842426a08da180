/**
 * The speaker's own Prometheus metrics with MetalLB's names and help texts (metallb-behaviour.md §7), so the
 * Helm chart's alerts (MetalLBStaleConfig, MetalLBConfigNotLoaded) and dashboards keep working, plus a few
 * metallb-ts ones under `metallb_ts_speaker_`. Registered on an injected Registry.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AnnouncementChange } from './announcement.js';

export class SpeakerMetrics {
  readonly announced: Gauge<'service' | 'protocol' | 'node' | 'ip'>;
  readonly updates: Counter;
  readonly updateErrors: Counter;
  readonly configLoaded: Gauge;
  readonly configStale: Gauge;
  /** 1 while every informer is connected, 0 while the API server is unreachable (announcing continues). */
  readonly apiReachable: Gauge;
  readonly announceFailures: Counter;
  private readonly node: string;

  constructor(registry: Registry, node: string) {
    const registers = [registry];
    this.node = node;
    this.announced = new Gauge({
      name: 'metallb_speaker_announced',
      help: 'Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.',
      labelNames: ['service', 'protocol', 'node', 'ip'], registers,
    });
    this.updates = new Counter({ name: 'metallb_k8s_client_updates_total', help: 'Number of k8s object updates that have been processed.', registers });
    this.updateErrors = new Counter({ name: 'metallb_k8s_client_update_errors_total', help: 'Number of k8s object updates that failed for some reason.', registers });
    this.configLoaded = new Gauge({ name: 'metallb_k8s_client_config_loaded_bool', help: '1 if the MetalLB configuration was successfully loaded at least once.', registers });
    this.configStale = new Gauge({ name: 'metallb_k8s_client_config_stale_bool', help: '1 if running on a stale configuration, because the latest config failed to load.', registers });
    this.apiReachable = new Gauge({
      name: 'metallb_ts_speaker_api_reachable_bool',
      help: '1 while the speaker\'s watches of the API server are up; 0 while it runs on its cached state (fail-static).', registers,
    });
    this.announceFailures = new Counter({
      name: 'metallb_ts_speaker_announce_failed_total',
      help: 'Layer-2 announcements refused because none of the listed interfaces exists on this node.', registers,
    });
  }

  /** Follows one announcement change: series of the old IPs removed, the new ones set to 1. */
  apply(change: AnnouncementChange): void {
    for (const ip of change.before?.ips ?? []) this.announced.remove({ service: change.key, protocol: change.protocol, node: this.node, ip });
    for (const ip of change.after?.ips ?? []) this.announced.set({ service: change.key, protocol: change.protocol, node: this.node, ip }, 1);
  }
}
