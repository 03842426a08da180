/**
 * BFD metrics with the names MetalLB's FRR-mode metrics sidecar exports (metallb-behaviour.md §7). The reference
 * lists the names and the labels `peer` and `vrf`; BFD is not run for VRF peers, so the label is `peer` only, the
 * peer's address. Echo mode is not implemented: its two counters exist for dashboards and stay at 0.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export class BfdMetrics {
  readonly sessionUp: Gauge<'peer'>;
  readonly controlPacketInput: Counter<'peer'>;
  readonly controlPacketOutput: Counter<'peer'>;
  readonly echoPacketInput: Counter<'peer'>;
  readonly echoPacketOutput: Counter<'peer'>;
  readonly sessionUpEvents: Counter<'peer'>;
  readonly sessionDownEvents: Counter<'peer'>;

  constructor(registry: Registry) {
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['peer'], registers: [registry] });
    this.sessionUp = new Gauge({ name: 'metallb_bfd_session_up', help: 'BFD session state (1 is up, 0 is down)', labelNames: ['peer'], registers: [registry] });
    this.controlPacketInput = counter('metallb_bfd_control_packet_input', 'Number of received BFD control packets');
    this.controlPacketOutput = counter('metallb_bfd_control_packet_output', 'Number of sent BFD control packets');
    this.echoPacketInput = counter('metallb_bfd_echo_packet_input', 'Number of received BFD echo packets (echo mode is not implemented: always 0)');
    this.echoPacketOutput = counter('metallb_bfd_echo_packet_output', 'Number of sent BFD echo packets (echo mode is not implemented: always 0)');
    this.sessionUpEvents = counter('metallb_bfd_session_up_events', 'Number of BFD session up events');
    this.sessionDownEvents = counter('metallb_bfd_session_down_events', 'Number of BFD session down events');
  }

  /** Creates a peer's series at 0. */
  add(peer: string): void {
    this.sessionUp.set({ peer }, 0);
    for (const c of [this.controlPacketInput, this.controlPacketOutput, this.echoPacketInput, this.echoPacketOutput, this.sessionUpEvents, this.sessionDownEvents]) c.inc({ peer }, 0);
  }

  forget(peer: string): void {
    for (const m of [this.sessionUp, this.controlPacketInput, this.controlPacketOutput, this.echoPacketInput, this.echoPacketOutput, this.sessionUpEvents, this.sessionDownEvents]) m.remove({ peer });
  }
}
