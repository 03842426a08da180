/**
 * The NDP responder of one interface: a thin driver around `answerNdp`, plus the solicited-node multicast
 * memberships of every announced IPv6, reference-counted (several IPs share a group when their low 24 bits
 * match). MetalLB `ndpResponder`.
 */
import { formatIp, type IpAddress } from '../../lib/ip.js';
import { errorMessage } from '../../lib/errors.js';
import type { PacketConn } from '../../net/packet-conn.js';
import type { MulticastGroups } from '../../net/ipv6-groups.js';
import { solicitedNodeAddress } from '../../protocol/ndp/ipv6-addresses.js';
import type { Outcome } from './arp-answer.js';
import { deliver, sendGratuitous, type ResponderDeps } from './arp-responder.js';
import { answerNdp, unsolicitedAdvertisementFrame, type NdpResponderInterface } from './ndp-answer.js';

export class NdpResponder {
  readonly iface: NdpResponderInterface;
  private readonly conn: PacketConn;
  private readonly groups: MulticastGroups;
  private readonly deps: ResponderDeps;
  /** Solicited-node group (text) -> number of watched IPs in it. */
  private readonly groupRefs = new Map<string, number>();

  constructor(conn: PacketConn, groups: MulticastGroups, iface: NdpResponderInterface, deps: ResponderDeps) {
    this.conn = conn;
    this.groups = groups;
    this.iface = iface;
    this.deps = deps;
  }

  start(): void {
    this.conn.start((frame) => this.handleFrame(frame), (err) => {
      this.deps.logger.error({ interface: this.iface.name, error: errorMessage(err) }, 'NDP responder stopped receiving');
    });
  }

  handleFrame(frame: Uint8Array): Outcome {
    const outcome = answerNdp(frame, this.iface, this.deps.policy);
    deliver(this.conn, 'ndp', outcome, this.deps);
    return outcome;
  }

  /** Joins the solicited-node group of `ip` (once per group). */
  watch(ip: IpAddress): void {
    const group = solicitedNodeAddress(ip);
    const key = formatIp(group);
    const refs = this.groupRefs.get(key) ?? 0;
    if (refs === 0) {
      try {
        this.groups.join(group);
      } catch (err) {
        this.deps.logger.error({ interface: this.iface.name, ip: formatIp(ip), error: errorMessage(err) },
          'failed to join the solicited-node group; solicitations for this address may not arrive');
      }
    }
    this.groupRefs.set(key, refs + 1);
  }

  unwatch(ip: IpAddress): void {
    const group = solicitedNodeAddress(ip);
    const key = formatIp(group);
    const refs = (this.groupRefs.get(key) ?? 0) - 1;
    if (refs > 0) {
      this.groupRefs.set(key, refs);
      return;
    }
    this.groupRefs.delete(key);
    try {
      this.groups.leave(group);
    } catch (err) {
      this.deps.logger.warn({ interface: this.iface.name, ip: formatIp(ip), error: errorMessage(err) }, 'failed to leave the solicited-node group');
    }
  }

  /** Groups joined now (for tests and diagnostics). */
  joinedGroups(): string[] {
    return [...this.groupRefs.keys()];
  }

  gratuitous(ip: IpAddress): void {
    sendGratuitous(this.conn, 'ndp', ip, [unsolicitedAdvertisementFrame(this.iface, ip)], this.deps);
  }

  close(): void {
    this.conn.close();
    this.groups.close();
  }
}
