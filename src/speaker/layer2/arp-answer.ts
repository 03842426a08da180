/**
 * What the ARP responder does with one received frame, and the gratuitous frames it sends (pure).
 * metallb-behaviour.md §5.3: only requests are answered; the Ethernet destination must be broadcast or this
 * interface's MAC; the target must be announced on this interface; the reply (to the requester's MAC) says
 * the target IP is at this interface's MAC. ARP probes (sender IP 0.0.0.0, RFC 5227) are answered like any
 * request, as MetalLB does: that is how the prober learns the address is taken.
 */
import type { IpAddress } from '../../lib/ip.js';
import { arpOperation, decodeArp, encodeArp } from '../../protocol/arp/arp.js';
import { decodeEthernet, encodeEthernet, etherType } from '../../protocol/ethernet/ethernet.js';
import { broadcastMac, type MacAddress } from '../../protocol/ethernet/mac.js';
import { WireError } from '../../protocol/wire/wire-error.js';
import { dropReasons, type AnswerPolicy, type DropReason } from './drop-reasons.js';

export type Outcome =
  | { readonly kind: 'reply'; readonly ip: IpAddress; readonly frame: Uint8Array }
  | { readonly kind: 'drop'; readonly reason: DropReason };

export interface ResponderInterface {
  readonly name: string;
  readonly mac: MacAddress;
}

export const drop = (reason: DropReason): Outcome => ({ kind: 'drop', reason });

export function answerArp(bytes: Uint8Array, iface: ResponderInterface, policy: AnswerPolicy): Outcome {
  let ethernet;
  let arp;
  try {
    ethernet = decodeEthernet(bytes);
    if (ethernet.etherType !== etherType.arp) return drop(dropReasons.malformed);
    arp = decodeArp(ethernet.payload);
  } catch (err) {
    if (err instanceof WireError) return drop(dropReasons.malformed);
    throw err;
  }
  if (arp.operation !== arpOperation.request) return drop(dropReasons.notRequest);
  if (ethernet.destination !== broadcastMac && ethernet.destination !== iface.mac) return drop(dropReasons.ethernetDestination);
  const refused = policy(arp.targetProtocolAddress, iface.name);
  if (refused !== undefined) return drop(refused);
  const reply = encodeArp({
    operation: arpOperation.reply,
    senderHardwareAddress: iface.mac,
    senderProtocolAddress: arp.targetProtocolAddress,
    targetHardwareAddress: arp.senderHardwareAddress,
    targetProtocolAddress: arp.senderProtocolAddress,
  });
  const frame = encodeEthernet({ destination: arp.senderHardwareAddress, source: iface.mac, etherType: etherType.arp, payload: reply });
  return { kind: 'reply', ip: arp.targetProtocolAddress, frame };
}

/**
 * Gratuitous ARP for `ip` (MetalLB `Gratuitous`): a request and a reply, both broadcast, sender and target
 * IP = `ip`, sender MAC = ours, target MAC = broadcast. Clients that ignore one form usually honour the other.
 */
export function gratuitousArpFrames(mac: MacAddress, ip: IpAddress): Uint8Array[] {
  return [arpOperation.request, arpOperation.reply].map((operation) => encodeEthernet({
    destination: broadcastMac,
    source: mac,
    etherType: etherType.arp,
    payload: encodeArp({
      operation,
      senderHardwareAddress: mac,
      senderProtocolAddress: ip,
      targetHardwareAddress: broadcastMac,
      targetProtocolAddress: ip,
    }),
  }));
}
