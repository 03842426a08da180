/**
 * The layer-2 counters, with MetalLB's names and help texts (`internal/layer2/stats.go`), registered on an
 * injected prom-client Registry, plus a metallb-ts counter of dropped frames by protocol and reason.
 */
import { Counter, type Registry } from 'prom-client';
import type { DropReason } from './drop-reasons.js';

export type Layer2Protocol = 'arp' | 'ndp';

export class Layer2Metrics {
  readonly requestsReceived: Counter<'ip'>;
  readonly responsesSent: Counter<'ip'>;
  readonly gratuitousSent: Counter<'ip'>;
  readonly framesDropped: Counter<'protocol' | 'reason'>;

  constructor(registry: Registry) {
    this.requestsReceived = new Counter({
      name: 'metallb_layer2_requests_received',
      help: 'Number of layer2 requests received for owned IPs',
      labelNames: ['ip'],
      registers: [registry],
    });
    this.responsesSent = new Counter({
      name: 'metallb_layer2_responses_sent',
      help: 'Number of layer2 responses sent for owned IPs in response to requests',
      labelNames: ['ip'],
      registers: [registry],
    });
    this.gratuitousSent = new Counter({
      name: 'metallb_layer2_gratuitous_sent',
      help: 'Number of gratuitous layer2 packets sent for owned IPs as a result of failovers',
      labelNames: ['ip'],
      registers: [registry],
    });
    this.framesDropped = new Counter({
      name: 'metallb_layer2_frames_dropped',
      help: 'Number of received ARP/NDP frames not answered, by protocol and reason (metallb-ts)',
      labelNames: ['protocol', 'reason'],
      registers: [registry],
    });
  }

  dropped(protocol: Layer2Protocol, reason: DropReason): void {
    this.framesDropped.inc({ protocol, reason });
  }
}
