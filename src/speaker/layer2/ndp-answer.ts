/**
 * What the NDP responder does with one received frame, and the unsolicited advertisement it sends (pure).
 * metallb-behaviour.md §5.3 and RFC 4861: only Neighbor Solicitations are answered, and only those carrying
 * a Source Link-Layer Address option (so DAD probes, from ::, are ignored, as MetalLB does); stateless §7.1.1
 * checks first (hop limit 255, code 0, unicast target); the target must be announced on this interface. The
 * answer is a Neighbor Advertisement from this interface's link-local address to the solicitor (to the MAC
 * in its option), Solicited=1, Override=0, with a Target Link-Layer Address option, hop limit 255.
 * Unlike MetalLB behind an ICMPv6 socket, a packet socket also sees unicast solicitations (neighbor
 * unreachability probes sent to the VIP itself), and they are answered the same way.
 */
import type { IpAddress } from '../../lib/ip.js';
import { decodeEthernet, encodeEthernet, etherType } from '../../protocol/ethernet/ethernet.js';
import { isMulticastMac, type MacAddress } from '../../protocol/ethernet/mac.js';
import { icmpv6Type } from '../../protocol/ndp/icmpv6.js';
import { allNodesAddress, multicastMac } from '../../protocol/ndp/ipv6-addresses.js';
import { decodeNdpPacket, encodeNdpPacket, type NdpPacket } from '../../protocol/ndp/ndp-frame.js';
import { findLinkLayerAddress, ndpOptionType, targetLinkLayerOption } from '../../protocol/ndp/ndp-options.js';
import { solicitationProblem } from '../../protocol/ndp/ndp.js';
import { WireError } from '../../protocol/wire/wire-error.js';
import { drop, type Outcome, type ResponderInterface } from './arp-answer.js';
import { dropReasons, type AnswerPolicy } from './drop-reasons.js';

export interface NdpResponderInterface extends ResponderInterface {
  /** The source of every advertisement (MetalLB dials its NDP conn on the link-local address). */
  readonly linkLocal: IpAddress;
}

function decode(bytes: Uint8Array): { destination: MacAddress; packet: NdpPacket | undefined } | undefined {
  try {
    const ethernet = decodeEthernet(bytes);
    if (ethernet.etherType !== etherType.ipv6) return undefined;
    return { destination: ethernet.destination, packet: decodeNdpPacket(ethernet.payload) };
  } catch (err) {
    if (err instanceof WireError) return undefined;
    throw err;
  }
}

export function answerNdp(bytes: Uint8Array, iface: NdpResponderInterface, policy: AnswerPolicy): Outcome {
  const decoded = decode(bytes);
  if (decoded === undefined) return drop(dropReasons.malformed);
  const { destination, packet } = decoded;
  if (packet === undefined || packet.message.type !== icmpv6Type.neighborSolicitation) return drop(dropReasons.notRequest);
  if (!isMulticastMac(destination) && destination !== iface.mac) return drop(dropReasons.ethernetDestination);
  if (solicitationProblem(packet.ip, packet.icmp, packet.message) !== undefined) return drop(dropReasons.invalid);
  const solicitor = findLinkLayerAddress(packet.message.options, ndpOptionType.sourceLinkLayerAddress);
  if (solicitor === undefined) return drop(dropReasons.noSourceLinkLayer);
  const target = packet.message.targetAddress;
  const refused = policy(target, iface.name);
  if (refused !== undefined) return drop(refused);
  const payload = encodeNdpPacket({
    source: iface.linkLocal,
    destination: packet.ip.source,
    message: {
      type: icmpv6Type.neighborAdvertisement,
      router: false,
      solicited: true,
      override: false,
      targetAddress: target,
      options: [targetLinkLayerOption(iface.mac)],
    },
  });
  return { kind: 'reply', ip: target, frame: encodeEthernet({ destination: solicitor, source: iface.mac, etherType: etherType.ipv6, payload }) };
}

/** The unsolicited NA for `ip` to all nodes (ff02::1): Solicited=0, Override=1, Target Link-Layer Address. */
export function unsolicitedAdvertisementFrame(iface: NdpResponderInterface, ip: IpAddress): Uint8Array {
  const payload = encodeNdpPacket({
    source: iface.linkLocal,
    destination: allNodesAddress,
    message: {
      type: icmpv6Type.neighborAdvertisement,
      router: false,
      solicited: false,
      override: true,
      targetAddress: ip,
      options: [targetLinkLayerOption(iface.mac)],
    },
  });
  return encodeEthernet({ destination: multicastMac(allNodesAddress), source: iface.mac, etherType: etherType.ipv6, payload });
}
