/**
 * IPv6 multicast group membership on one interface (IPV6_JOIN_GROUP on an otherwise idle AF_INET6 socket):
 * the kernel then sends MLD reports, so snooping switches forward the group, and the NIC accepts its MAC.
 * The NDP responder joins the solicited-node group of every IPv6 it announces (lab-notes.md §4: without the
 * join, solicitations for the address may never arrive). Joining a group twice on one socket is an error
 * (EADDRINUSE): callers reference-count.
 */
import { ipToBytes, formatIp, type IpAddress } from '../lib/ip.js';
import { IPV6, SOL } from './constants.js';
import { nativeAddon, netnsPath, sys } from './native.js';
import { closeSocket, openSocket, setBufferOption } from './sockopt.js';

export interface MulticastGroups {
  join(group: IpAddress): void;
  leave(group: IpAddress): void;
  close(): void;
}

/** `struct ipv6_mreq`: the group (16 bytes) then the interface index (int). */
function ipv6Mreq(group: IpAddress, ifindex: number): Buffer {
  const buf = Buffer.alloc(20);
  buf.set(ipToBytes(group), 0);
  buf.writeInt32LE(ifindex, 16);
  return buf;
}

export class Ipv6GroupMembership implements MulticastGroups {
  readonly ifname: string;
  readonly ifindex: number;
  private readonly fd: number;
  private closed = false;

  private constructor(ifname: string, ifindex: number, fd: number) {
    this.ifname = ifname;
    this.ifindex = ifindex;
    this.fd = fd;
  }

  static open(ifname: string, netns?: string): Ipv6GroupMembership {
    const ns = netns === undefined ? undefined : netnsPath(netns);
    const ifindex = sys(`joining groups on "${ifname}"`, () => nativeAddon().ifNameToIndex(ifname, ns));
    const fd = openSocket({ family: 'IPv6', type: 'dgram', ...(netns === undefined ? {} : { netns }) });
    return new Ipv6GroupMembership(ifname, ifindex, fd);
  }

  join(group: IpAddress): void {
    setBufferOption(this.fd, SOL.ipv6, IPV6.joinGroup, ipv6Mreq(group, this.ifindex), `IPV6_JOIN_GROUP ${formatIp(group)} on "${this.ifname}"`);
  }

  leave(group: IpAddress): void {
    setBufferOption(this.fd, SOL.ipv6, IPV6.leaveGroup, ipv6Mreq(group, this.ifindex), `IPV6_LEAVE_GROUP ${formatIp(group)} on "${this.ifname}"`);
  }

  /** Leaves every group (the kernel does on close). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSocket(this.fd);
  }
}
