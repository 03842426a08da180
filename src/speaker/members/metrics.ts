/**
 * Gossip metrics (prom-client, registered in the Registry the caller injects, so tests and several members in
 * one process do not collide). MetalLB exports nothing for memberlist; these names follow its `metallb_` style.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { MemberState } from '../../protocol/swim/messages.js';

export class GossipMetrics {
  readonly members: Gauge<'state'>;
  readonly packetsSent: Counter;
  readonly packetsReceived: Counter;
  readonly bytesSent: Counter;
  readonly bytesReceived: Counter;
  readonly dropped: Counter<'reason'>;
  readonly transitions: Counter<'to' | 'reason'>;
  readonly events: Counter<'event'>;
  readonly healthScore: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.members = new Gauge({ name: 'metallb_gossip_members', help: 'Members known to this speaker, by state (alive, suspect, dead, left).', labelNames: ['state'], registers });
    this.packetsSent = new Counter({ name: 'metallb_gossip_packets_sent_total', help: 'Gossip datagrams sent.', registers });
    this.packetsReceived = new Counter({ name: 'metallb_gossip_packets_received_total', help: 'Gossip datagrams received (before authentication).', registers });
    this.bytesSent = new Counter({ name: 'metallb_gossip_sent_bytes_total', help: 'Gossip bytes sent, datagrams and streams, envelope included.', registers });
    this.bytesReceived = new Counter({ name: 'metallb_gossip_received_bytes_total', help: 'Gossip bytes received, datagrams and streams.', registers });
    this.dropped = new Counter({ name: 'metallb_gossip_dropped_total', help: 'Gossip packets and streams dropped, by reason (authFailed, malformed...).', labelNames: ['reason'], registers });
    this.transitions = new Counter({ name: 'metallb_gossip_member_transitions_total', help: 'Member state changes seen by this speaker, by new state and reason.', labelNames: ['to', 'reason'], registers });
    this.events = new Counter({ name: 'metallb_gossip_events_total', help: 'Protocol events: probes, refutations, late timers, push-pulls...', labelNames: ['event'], registers });
    this.healthScore = new Gauge({ name: 'metallb_gossip_health_score', help: 'Local health (Lifeguard): 0 is healthy; timeouts are multiplied by score+1.', registers });
  }

  setMemberCounts(counts: Readonly<Record<MemberState, number>>): void {
    for (const [state, n] of Object.entries(counts)) this.members.set({ state }, n);
  }
}
