/**
 * What the layer-2 announcer needs from the machine, injected: the interface list and sockets per interface.
 * net/ provides the native implementation (AF_PACKET + IPv6 group joins); tests pass in-memory conns.
 */
import type { PacketConn } from '../../net/packet-conn.js';
import type { MulticastGroups } from '../../net/ipv6-groups.js';
import type { InterfaceInfo, InterfaceSource } from './interfaces.js';

export interface NdpSockets {
  /** Receives Ethernet frames carrying Neighbor Solicitations; sends NAs. */
  readonly conn: PacketConn;
  /** Solicited-node group joins on the same interface. */
  readonly groups: MulticastGroups;
}

export interface Layer2Io {
  readonly listInterfaces: InterfaceSource;
  /** A conn receiving ARP requests on `iface`. */
  openArp(iface: InterfaceInfo): PacketConn;
  openNdp(iface: InterfaceInfo): NdpSockets;
}
