/**
 * The ARP responder of one interface: a thin driver around `answerArp` that reads frames from a PacketConn,
 * sends the replies and counts everything (MetalLB `arpResponder`).
 */
import { formatIp, type IpAddress } from '../../lib/ip.js';
import type { Logger } from '../../lib/logger.js';
import { errorMessage } from '../../lib/errors.js';
import type { PacketConn } from '../../net/packet-conn.js';
import { answerArp, gratuitousArpFrames, type Outcome, type ResponderInterface } from './arp-answer.js';
import { dropReasons, type AnswerPolicy } from './drop-reasons.js';
import type { Layer2Metrics, Layer2Protocol } from './layer2-metrics.js';

export interface ResponderDeps {
  readonly policy: AnswerPolicy;
  readonly metrics: Layer2Metrics;
  readonly logger: Logger;
}

/** Sends an answer and counts it (shared by the ARP and NDP responders). */
export function deliver(conn: PacketConn, protocol: Layer2Protocol, outcome: Outcome, deps: ResponderDeps): void {
  if (outcome.kind === 'drop') {
    deps.metrics.dropped(protocol, outcome.reason);
    return;
  }
  const ip = formatIp(outcome.ip);
  deps.metrics.requestsReceived.inc({ ip });
  try {
    conn.send(outcome.frame);
    deps.metrics.responsesSent.inc({ ip });
  } catch (err) {
    deps.metrics.dropped(protocol, dropReasons.sendFailed);
    deps.logger.warn({ interface: conn.ifname, ip, error: errorMessage(err) }, `failed to send ${protocol} response`);
  }
}

/** Sends gratuitous frames for `ip`, counting each one sent. */
export function sendGratuitous(conn: PacketConn, protocol: Layer2Protocol, ip: IpAddress, frames: readonly Uint8Array[], deps: ResponderDeps): void {
  const label = formatIp(ip);
  for (const frame of frames) {
    try {
      conn.send(frame);
      deps.metrics.gratuitousSent.inc({ ip: label });
    } catch (err) {
      deps.logger.warn({ interface: conn.ifname, ip: label, error: errorMessage(err) }, `failed to send gratuitous ${protocol}`);
    }
  }
}

export class ArpResponder {
  readonly iface: ResponderInterface;
  private readonly conn: PacketConn;
  private readonly deps: ResponderDeps;

  constructor(conn: PacketConn, iface: ResponderInterface, deps: ResponderDeps) {
    this.conn = conn;
    this.iface = iface;
    this.deps = deps;
  }

  start(): void {
    this.conn.start((frame) => this.handleFrame(frame), (err) => {
      this.deps.logger.error({ interface: this.iface.name, error: errorMessage(err) }, 'ARP responder stopped receiving');
    });
  }

  /** Handles one received frame; returns what was done (for tests). */
  handleFrame(frame: Uint8Array): Outcome {
    const outcome = answerArp(frame, this.iface, this.deps.policy);
    deliver(this.conn, 'arp', outcome, this.deps);
    return outcome;
  }

  gratuitous(ip: IpAddress): void {
    sendGratuitous(this.conn, 'arp', ip, gratuitousArpFrames(this.iface.mac, ip), this.deps);
  }

  close(): void {
    this.conn.close();
  }
}
