/**
 * BFD metrics with the names MetalLB's FRR-mode metrics sidecar exports (metallb-behaviour.md §7). The reference
 * lists the names and the labels `peer` and `vrf`: `peer` is the peer's address, and `vrf` is there only on the
 * series of a session in a VRF (default-VRF series have `peer` alone, as before VRFs). Echo mode is not implemented: its two counters exist for dashboards and stay at 0.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { sessionMetricLabels, type SessionMetricLabel, type SessionMetricLabels } from './metrics.js';

export class BfdMetrics {
  readonly sessionUp: Gauge<SessionMetricLabel>;
  readonly controlPacketInput: Counter<SessionMetricLabel>;
  readonly controlPacketOutput: Counter<SessionMetricLabel>;
  readonly echoPacketInput: Counter<SessionMetricLabel>;
  readonly echoPacketOutput: Counter<SessionMetricLabel>;
  readonly sessionUpEvents: Counter<SessionMetricLabel>;
  readonly sessionDownEvents: Counter<SessionMetricLabel>;

  constructor(registry: Registry) {
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames: sessionMetricLabels, registers: [registry] });
    this.sessionUp = new Gauge({ name: 'metallb_bfd_session_up', help: 'BFD session state (1 is up, 0 is down)', labelNames: sessionMetricLabels, registers: [registry] });
    this.controlPacketInput = counter('metallb_bfd_control_packet_input', 'Number of received BFD control packets');
    this.controlPacketOutput = counter('metallb_bfd_control_packet_output', 'Number of sent BFD control packets');
    this.echoPacketInput = counter('metallb_bfd_echo_packet_input', 'Number of received BFD echo packets (echo mode is not implemented: always 0)');
    this.echoPacketOutput = counter('metallb_bfd_echo_packet_output', 'Number of sent BFD echo packets (echo mode is not implemented: always 0)');
    this.sessionUpEvents = counter('metallb_bfd_session_up_events', 'Number of BFD session up events');
    this.sessionDownEvents = counter('metallb_bfd_session_down_events', 'Number of BFD session down events');
  }

  /** Creates a peer's series at 0. */
  add(labels: SessionMetricLabels): void {
    this.sessionUp.set(labels, 0);
    for (const c of [this.controlPacketInput, this.controlPacketOutput, this.echoPacketInput, this.echoPacketOutput, this.sessionUpEvents, this.sessionDownEvents]) c.inc(labels, 0);
  }

  forget(labels: SessionMetricLabels): void {
    for (const m of [this.sessionUp, this.controlPacketInput, this.controlPacketOutput, this.echoPacketInput, this.echoPacketOutput, this.sessionUpEvents, this.sessionDownEvents]) m.remove(labels);
  }
}
