/**
 * Linux socket constants (x86-64 and arm64 agree on all of these; values from the kernel's uapi headers).
 * Append only.
 */
export const AF = { inet: 2, inet6: 10, packet: 17 } as const;

export const SOCK = {
  stream: 1,
  dgram: 2,
  raw: 3,
  nonblock: 0o4000,
  cloexec: 0o2000000,
} as const;

export const SOL = { socket: 1, ip: 0, ipv6: 41, tcp: 6, packet: 263 } as const;

export const SO = { reuseaddr: 2, error: 4, rcvbuf: 8, bindtodevice: 25, reuseport: 15 } as const;

export const IP = { ttl: 2, freebind: 15, minttl: 21, recvttl: 12 } as const;

export const IPV6 = {
  unicastHops: 16,
  multicastHops: 18,
  joinGroup: 20,
  leaveGroup: 21,
  v6only: 26,
  minHopCount: 73,
  freebind: 78,
  recvHopLimit: 51,
} as const;

export const TCP = { nodelay: 1, md5sig: 14, md5sigExt: 32 } as const;

/** `tcp_md5sig.tcpm_flags` bits (with TCP_MD5SIG_EXT). */
export const TCP_MD5SIG_FLAG = { prefix: 1, ifindex: 2 } as const;

export const PACKET = {
  addMembership: 1,
  dropMembership: 2,
  ignoreOutgoing: 23,
} as const;

/** `packet_mreq.mr_type`. */
export const PACKET_MR = { multicast: 0, promisc: 1, allmulti: 2 } as const;

/** `sockaddr_ll.sll_pkttype`. */
export const PACKET_TYPE = { host: 0, broadcast: 1, multicast: 2, otherhost: 3, outgoing: 4 } as const;

export const IPPROTO = { ip: 0, tcp: 6, udp: 17, ipv6: 41, icmpv6: 58 } as const;
