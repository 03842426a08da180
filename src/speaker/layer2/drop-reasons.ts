import type { IpAddress } from '../../lib/ip.js';

/**
 * Why a received frame got no answer (the `reason` label of `metallb_layer2_frames_dropped`). MetalLB's
 * `dropReason` values, named, plus the validation failures a packet socket makes visible.
 */
export const dropReasons = {
  /** Not decodable (truncated, bad checksum, bad option length...). */
  malformed: 'malformed',
  /** An ARP reply, or an ICMPv6 message that is not a Neighbor Solicitation. */
  notRequest: 'notRequest',
  /** Ethernet destination neither broadcast/multicast nor this interface's MAC. */
  ethernetDestination: 'ethernetDestination',
  /** A Neighbor Solicitation without a Source Link-Layer Address option (DAD probes among them). */
  noSourceLinkLayer: 'noSourceLinkLayer',
  /** Failed RFC 4861 §7.1.1 validation (hop limit not 255, code not 0, multicast target). */
  invalid: 'invalid',
  /** The target IP is not announced by this node. */
  notAnnounced: 'notAnnounced',
  /** The target IP is announced, but not on this interface (L2Advertisement `interfaces`). */
  interfaceNotMatched: 'interfaceNotMatched',
  /** The answer could not be sent (the kernel refused it). */
  sendFailed: 'sendFailed',
} as const;

export type DropReason = (typeof dropReasons)[keyof typeof dropReasons];

/** Whether this node answers for `ip` on interface `ifname`: undefined = answer, else why not. */
export type AnswerPolicy = (ip: IpAddress, ifname: string) => DropReason | undefined;
