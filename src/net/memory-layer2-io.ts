/**
 * An in-memory `Layer2Io` for tests and simulations: a settable interface list, one MemorySegment per
 * interface name (shared by every io attached to it, so several simulated nodes can share a LAN), and group
 * memberships recorded instead of joined.
 */
import { etherType } from '../protocol/ethernet/ethernet.js';
import { formatIp, type IpAddress } from '../lib/ip.js';
import { MetallbError } from '../lib/errors.js';
import type { InterfaceInfo } from '../speaker/layer2/interfaces.js';
import type { Layer2Io, NdpSockets } from '../speaker/layer2/layer2-io.js';
import type { MulticastGroups } from './ipv6-groups.js';
import { macToBytes } from '../protocol/ethernet/mac.js';
import { MemorySegment, type MemoryPacketConn } from './memory-packet-conn.js';

export class MemoryGroups implements MulticastGroups {
  readonly joined = new Set<string>();
  closed = false;

  join(group: IpAddress): void {
    const key = formatIp(group);
    if (this.joined.has(key)) throw new MetallbError('EADDRINUSE', `group ${key} joined twice`);
    this.joined.add(key);
  }

  leave(group: IpAddress): void {
    this.joined.delete(formatIp(group));
  }

  close(): void {
    this.closed = true;
    this.joined.clear();
  }
}

export class MemoryLayer2Io implements Layer2Io {
  interfaces: InterfaceInfo[];
  readonly segments: Map<string, MemorySegment>;
  readonly arpConns = new Map<string, MemoryPacketConn>();
  readonly ndpConns = new Map<string, MemoryPacketConn>();
  readonly groups = new Map<string, MemoryGroups>();
  /** Interface names whose next open fails with EPERM. */
  readonly failOpen = new Set<string>();

  constructor(interfaces: InterfaceInfo[], segments = new Map<string, MemorySegment>()) {
    this.interfaces = interfaces;
    this.segments = segments;
  }

  readonly listInterfaces = (): Promise<readonly InterfaceInfo[]> => Promise.resolve([...this.interfaces]);

  segment(name: string): MemorySegment {
    let s = this.segments.get(name);
    if (s === undefined) {
      s = new MemorySegment();
      this.segments.set(name, s);
    }
    return s;
  }

  private attach(iface: InterfaceInfo, type: number): MemoryPacketConn {
    if (this.failOpen.has(iface.name)) throw new MetallbError('EPERM', `opening packet socket on "${iface.name}": EPERM`);
    return this.segment(iface.name).attach({ ifname: iface.name, ifindex: iface.index, mac: macToBytes(iface.mac ?? '00:00:00:00:00:00'), ethertype: type });
  }

  openArp(iface: InterfaceInfo): MemoryPacketConn {
    const conn = this.attach(iface, etherType.arp);
    this.arpConns.set(iface.name, conn);
    return conn;
  }

  openNdp(iface: InterfaceInfo): NdpSockets {
    const conn = this.attach(iface, etherType.ipv6);
    const groups = new MemoryGroups();
    this.ndpConns.set(iface.name, conn);
    this.groups.set(iface.name, groups);
    return { conn, groups };
  }
}
