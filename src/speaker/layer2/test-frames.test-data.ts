/** Frames a client on the LAN sends, built with our codecs, for the layer-2 unit tests. */
import { parseIp, type IpAddress } from '../../lib/ip.js';
import { arpOperation, encodeArp } from '../../protocol/arp/arp.js';
import { encodeEthernet, etherType } from '../../protocol/ethernet/ethernet.js';
import { broadcastMac, zeroMac, type MacAddress } from '../../protocol/ethernet/mac.js';
import { icmpv6Type } from '../../protocol/ndp/icmpv6.js';
import { multicastMac, solicitedNodeAddress } from '../../protocol/ndp/ipv6-addresses.js';
import { encodeNdpPacket } from '../../protocol/ndp/ndp-frame.js';
import { sourceLinkLayerOption, type NdpOption } from '../../protocol/ndp/ndp-options.js';

export const ip = (s: string): IpAddress => parseIp(s)!;
export const clientMac = '02:00:00:00:00:64';
export const clientIpv4 = ip('10.100.0.100');
export const clientIpv6 = ip('fd00:100::100');

export function arpRequestFrame(target: string, options: { destination?: MacAddress; operation?: number; sender?: IpAddress } = {}): Uint8Array {
  return encodeEthernet({
    destination: options.destination ?? broadcastMac,
    source: clientMac,
    etherType: etherType.arp,
    payload: encodeArp({
      operation: options.operation ?? arpOperation.request,
      senderHardwareAddress: clientMac,
      senderProtocolAddress: options.sender ?? clientIpv4,
      targetHardwareAddress: zeroMac,
      targetProtocolAddress: ip(target),
    }),
  });
}

export interface NsOptions {
  readonly source?: IpAddress;
  readonly destination?: IpAddress;
  readonly ethernetDestination?: MacAddress;
  readonly options?: readonly NdpOption[];
  readonly hopLimit?: number;
}

export function neighborSolicitationFrame(target: string, o: NsOptions = {}): Uint8Array {
  const destination = o.destination ?? solicitedNodeAddress(ip(target));
  return encodeEthernet({
    destination: o.ethernetDestination ?? multicastMac(destination),
    source: clientMac,
    etherType: etherType.ipv6,
    payload: encodeNdpPacket({
      source: o.source ?? clientIpv6,
      destination,
      hopLimit: o.hopLimit ?? 255,
      message: { type: icmpv6Type.neighborSolicitation, targetAddress: ip(target), options: o.options ?? [sourceLinkLayerOption(clientMac)] },
    }),
  });
}
