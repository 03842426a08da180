/**
 * The controller's Prometheus metrics, with MetalLB's names and labels (metallb-behaviour.md §7) so
 * dashboards and the Helm chart's alerts (MetalLBStaleConfig, MetalLBAddressPoolExhausted...) keep working,
 * plus Node's process metrics and a few of our own under `metallb_ts_`.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { allocatorMetricNames, type AllocatorPoolMetrics } from '../ipam/pool-counters.js';

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly updates: Counter;
  readonly updateErrors: Counter;
  readonly configLoaded: Gauge;
  readonly configStale: Gauge;
  readonly leader: Gauge;
  readonly statusWrites: Counter<'result'>;
  private allocator: () => readonly AllocatorPoolMetrics[] = () => [];

  constructor() {
    const registers = [this.registry];
    this.updates = new Counter({ name: 'metallb_k8s_client_updates_total', help: 'Number of k8s object updates that have been processed.', registers });
    this.updateErrors = new Counter({ name: 'metallb_k8s_client_update_errors_total', help: 'Number of k8s object updates that failed for some reason.', registers });
    this.configLoaded = new Gauge({ name: 'metallb_k8s_client_config_loaded_bool', help: '1 if the MetalLB configuration was successfully loaded at least once.', registers });
    this.configStale = new Gauge({ name: 'metallb_k8s_client_config_stale_bool', help: '1 if running on a stale configuration, because the latest config failed to load.', registers });
    this.leader = new Gauge({ name: 'metallb_ts_controller_leader_bool', help: '1 while this controller replica holds the leader lease and assigns addresses.', registers });
    this.statusWrites = new Counter({ name: 'metallb_ts_controller_status_writes_total', help: 'Service status writes by result (ok, conflict, error).', labelNames: ['result'], registers });
    this.allocatorGauges(registers);
    new Gauge({ name: 'metallb_allocator_services_allocated_total', help: 'Number of services allocated from a pool (registered by MetalLB, never set).', labelNames: ['pool'], registers });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Where the allocator gauges read from at scrape time (the leader's state; nothing on a follower). */
  setAllocatorSource(source: () => readonly AllocatorPoolMetrics[]): void {
    this.allocator = source;
  }

  private allocatorGauges(registers: Registry[]): void {
    const help: Record<keyof typeof allocatorMetricNames, string> = {
      addressesTotal: 'Number of usable IP addresses, per pool',
      ipv4AddressesTotal: 'Number of usable IPv4 addresses, per pool',
      ipv6AddressesTotal: 'Number of usable IPv6 addresses, per pool',
      addressesInUseTotal: 'Number of IP addresses in use, per pool',
      ipv4AddressesInUseTotal: 'Number of IPv4 addresses in use, per pool',
      ipv6AddressesInUseTotal: 'Number of IPv6 addresses in use, per pool',
    };
    for (const [field, name] of Object.entries(allocatorMetricNames) as [keyof typeof allocatorMetricNames, string][]) {
      const source = (): readonly AllocatorPoolMetrics[] => this.allocator();
      new Gauge({
        name, help: help[field], labelNames: ['pool'], registers,
        collect() {
          this.reset();
          for (const m of source()) this.set({ pool: m.pool }, m[field]);
        },
      });
    }
  }
}
