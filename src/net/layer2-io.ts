/**
 * The native `Layer2Io`: AF_PACKET conns with kernel-side filters (ARP requests; ICMPv6 Neighbor
 * Solicitations) and IPv6 group memberships, optionally inside another network namespace (the lab runs
 * several nodes' announcers in one process). Interfaces come from sysfs unless a source is given.
 */
import { etherType } from '../protocol/ethernet/ethernet.js';
import type { InterfaceSource } from '../speaker/layer2/interfaces.js';
import type { Layer2Io } from '../speaker/layer2/layer2-io.js';
import { arpRequestFilter, neighborSolicitationFilter } from './bpf.js';
import { Ipv6GroupMembership } from './ipv6-groups.js';
import { NativePacketConn } from './native-packet-conn.js';
import { sysfsInterfaces } from './sysfs-interfaces.js';

export interface NativeLayer2IoOptions {
  /** Open every socket inside this named network namespace. */
  readonly netns?: string;
  /** Default: sysfs of this process's namespace. */
  readonly listInterfaces?: InterfaceSource;
}

export function nativeLayer2Io(options: NativeLayer2IoOptions = {}): Layer2Io {
  const ns = options.netns === undefined ? {} : { netns: options.netns };
  return {
    listInterfaces: options.listInterfaces ?? (() => sysfsInterfaces()),
    openArp: (iface) => NativePacketConn.open({ ifname: iface.name, ethertype: etherType.arp, filter: arpRequestFilter(), ...ns }),
    openNdp: (iface) => {
      const conn = NativePacketConn.open({ ifname: iface.name, ethertype: etherType.ipv6, filter: neighborSolicitationFilter(), ...ns });
      try {
        return { conn, groups: Ipv6GroupMembership.open(iface.name, options.netns) };
      } catch (err) {
        conn.close();
        throw err;
      }
    },
  };
}
