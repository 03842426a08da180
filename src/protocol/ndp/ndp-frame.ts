/**
 * A whole Neighbor Discovery packet inside an Ethernet payload: IPv6 header, ICMPv6 with its checksum, then
 * the NS/NA body. Used by the NDP responder (through a packet socket it sees and builds every layer).
 */
import type { IpAddress } from '../../lib/ip.js';
import { decodeIpv6, encodeIpv6, nextHeader, type Ipv6Packet } from './ipv6.js';
import { decodeIcmpv6, encodeIcmpv6, type Icmpv6Message } from './icmpv6.js';
import { decodeNdp, encodeNdp, type NdpMessage } from './ndp.js';

export interface NdpPacket {
  readonly ip: Ipv6Packet;
  readonly icmp: Icmpv6Message;
  readonly message: NdpMessage;
}

/** The NS/NA in an IPv6 packet; undefined when it is not ICMPv6 NS/NA. Malformed input raises WireError. */
export function decodeNdpPacket(ethernetPayload: Uint8Array): NdpPacket | undefined {
  const ip = decodeIpv6(ethernetPayload);
  if (ip.nextHeader !== nextHeader.icmpv6) return undefined;
  const icmp = decodeIcmpv6(ip.source, ip.destination, ip.payload);
  const message = decodeNdp(icmp);
  return message === undefined ? undefined : { ip, icmp, message };
}

export interface NdpSend {
  readonly source: IpAddress;
  readonly destination: IpAddress;
  readonly message: NdpMessage;
  /** RFC 4861: always 255, so receivers know the packet was not forwarded. */
  readonly hopLimit?: number;
}

/** IPv6 + ICMPv6 bytes (the Ethernet payload) for an NS/NA. */
export function encodeNdpPacket(send: NdpSend): Uint8Array {
  const icmp = encodeIcmpv6(send.source, send.destination, encodeNdp(send.message));
  return encodeIpv6({
    trafficClass: 0,
    flowLabel: 0,
    nextHeader: nextHeader.icmpv6,
    hopLimit: send.hopLimit ?? 255,
    source: send.source,
    destination: send.destination,
    payload: icmp,
  });
}
