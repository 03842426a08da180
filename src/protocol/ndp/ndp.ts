/**
 * Neighbor Solicitation and Neighbor Advertisement (RFC 4861 §4.3, §4.4), the ICMPv6 bodies.
 *
 *   NS (type 135)                          NA (type 136)
 *   +--------+--------+--------+           +-+-+-+---------------------------+
 *   |      Reserved (32)       |           |R|S|O|      Reserved (29)        |
 *   +--------------------------+           +-+-+-+---------------------------+
 *   |   Target Address (128)   |           |     Target Address (128)        |
 *   +--------------------------+           +---------------------------------+
 *   |   Options ...            |           |     Options ...                 |
 *
 * Decoding checks syntax only. `solicitationProblem` is the receive-side validation of §7.1.1 that does
 * not depend on our state (hop limit, code, lengths, targets, DAD form).
 */
import { ipFromBytes, ipToBytes, type IpAddress } from '../../lib/ip.js';
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import { decodeNdpOptions, encodeNdpOptions, hasOption, ndpOptionType, type NdpOption } from './ndp-options.js';
import { icmpv6Type, type Icmpv6Message } from './icmpv6.js';
import type { Ipv6Packet } from './ipv6.js';
import { isMulticast, isSolicitedNodeMulticast } from './ipv6-addresses.js';

export interface NeighborSolicitation {
  readonly type: typeof icmpv6Type.neighborSolicitation;
  readonly targetAddress: IpAddress;
  readonly options: readonly NdpOption[];
}

export interface NeighborAdvertisement {
  readonly type: typeof icmpv6Type.neighborAdvertisement;
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  readonly targetAddress: IpAddress;
  readonly options: readonly NdpOption[];
}

export type NdpMessage = NeighborSolicitation | NeighborAdvertisement;

const flagRouter = 0x80000000;
const flagSolicited = 0x40000000;
const flagOverride = 0x20000000;

/** The NS or NA in an ICMPv6 message; undefined for any other ICMPv6 type. Malformed bodies raise WireError. */
export function decodeNdp(message: Icmpv6Message): NdpMessage | undefined {
  if (message.type !== icmpv6Type.neighborSolicitation && message.type !== icmpv6Type.neighborAdvertisement) return undefined;
  const r = new Reader(message.body, 4);
  const word = r.u32('ND flags/reserved');
  const targetAddress = ipFromBytes(r.bytes(16, 'ND target address'));
  const options = decodeNdpOptions(r);
  if (message.type === icmpv6Type.neighborSolicitation) return { type: message.type, targetAddress, options };
  return {
    type: message.type,
    router: (word & flagRouter) !== 0,
    solicited: (word & flagSolicited) !== 0,
    override: (word & flagOverride) !== 0,
    targetAddress,
    options,
  };
}

export function encodeNdp(message: NdpMessage): Icmpv6Message {
  if (message.targetAddress.family !== 'IPv6') throw new RangeError('ND target must be IPv6');
  const w = new Writer(20 + 8 * message.options.length);
  const flags = message.type === icmpv6Type.neighborSolicitation ? 0
    : (message.router ? flagRouter : 0) | (message.solicited ? flagSolicited : 0) | (message.override ? flagOverride : 0);
  w.u32(flags >>> 0).bytes(ipToBytes(message.targetAddress));
  encodeNdpOptions(w, message.options);
  return { type: message.type, code: 0, body: w.finish() };
}

export const solicitationProblems = {
  hopLimit: 'hopLimit',
  code: 'code',
  multicastTarget: 'multicastTarget',
  dadWithSourceLinkLayer: 'dadWithSourceLinkLayer',
  dadNotToSolicitedNode: 'dadNotToSolicitedNode',
} as const;
export type SolicitationProblem = (typeof solicitationProblems)[keyof typeof solicitationProblems];

/** RFC 4861 §7.1.1 checks of a received NS that need no state; undefined when it is valid. */
export function solicitationProblem(ip: Ipv6Packet, icmp: Icmpv6Message, ns: NeighborSolicitation): SolicitationProblem | undefined {
  if (ip.hopLimit !== 255) return solicitationProblems.hopLimit;
  if (icmp.code !== 0) return solicitationProblems.code;
  if (isMulticast(ns.targetAddress)) return solicitationProblems.multicastTarget;
  if (ip.source.value === 0n) {
    if (hasOption(ns.options, ndpOptionType.sourceLinkLayerAddress)) return solicitationProblems.dadWithSourceLinkLayer;
    if (!isSolicitedNodeMulticast(ip.destination)) return solicitationProblems.dadNotToSolicitedNode;
  }
  return undefined;
}
