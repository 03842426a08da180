/**
 * TCP MD5 signatures (RFC 2385), as BGP peers require with a password: the kernel's `struct tcp_md5sig`
 * (linux/tcp.h, 216 bytes, host byte order except the address):
 *
 *   0   tcpm_addr       struct sockaddr_storage (128): family u16, then IPv4 at 4 / IPv6 at 8
 *   128 tcpm_flags      u8   TCP_MD5SIG_FLAG_PREFIX (1), TCP_MD5SIG_FLAG_IFINDEX (2); TCP_MD5SIG_EXT only
 *   129 tcpm_prefixlen  u8   TCP_MD5SIG_EXT only
 *   130 tcpm_keylen     u16
 *   132 tcpm_ifindex    i32  TCP_MD5SIG_EXT only
 *   136 tcpm_key        u8[80]
 *
 * The key must be set before the SYN: on an active socket before connect(), on a listening socket for each
 * peer (accepted sockets inherit it). An empty key removes the peer's entry.
 */
import { MetallbError } from '../lib/errors.js';
import type { IpAddress, IpFamily } from '../lib/ip.js';
import { SOL, TCP, TCP_MD5SIG_FLAG } from './constants.js';
import { encodeSockaddr } from './sockaddr.js';
import { setBufferOption } from './sockopt.js';

export const tcpMd5SigBytes = 216;
export const tcpMd5MaxKeyBytes = 80;

export interface TcpMd5Entry {
  readonly peer: IpAddress;
  /** The shared secret; an empty key deletes the entry. */
  readonly key: string | Uint8Array;
  /** Cover a whole prefix of peers (needs TCP_MD5SIG_EXT, e.g. for dynamic neighbors). */
  readonly prefixLength?: number;
  /** Only for connections on this interface (needs TCP_MD5SIG_EXT). */
  readonly ifindex?: number;
}

/**
 * An AF_INET6 socket (a dual-stack listener on `::`) names IPv4 peers as v4-mapped IPv6 addresses
 * (`::ffff:a.b.c.d`, prefix + 96); the kernel rejects an AF_INET address there with EINVAL.
 */
function asSocketFamily(entry: TcpMd5Entry, socketFamily: IpFamily): { peer: IpAddress; prefixLength: number | undefined } {
  if (socketFamily === 'IPv6' && entry.peer.family === 'IPv4') {
    return {
      peer: { family: 'IPv6', value: (0xffffn << 32n) | entry.peer.value },
      prefixLength: entry.prefixLength === undefined ? undefined : entry.prefixLength + 96,
    };
  }
  return { peer: entry.peer, prefixLength: entry.prefixLength };
}

export function encodeTcpMd5Sig(entry: TcpMd5Entry, socketFamily: IpFamily = entry.peer.family): Buffer {
  const key = typeof entry.key === 'string' ? Buffer.from(entry.key, 'utf8') : Buffer.from(entry.key);
  if (key.length > tcpMd5MaxKeyBytes) {
    throw new MetallbError('EINVAL', `TCP MD5 key for a peer is ${key.length} bytes, the kernel allows ${tcpMd5MaxKeyBytes}`);
  }
  const { peer, prefixLength } = asSocketFamily(entry, socketFamily);
  const buf = Buffer.alloc(tcpMd5SigBytes);
  encodeSockaddr({ ip: peer, port: 0 }).copy(buf, 0);
  let flags = 0;
  if (prefixLength !== undefined) {
    flags |= TCP_MD5SIG_FLAG.prefix;
    buf.writeUInt8(prefixLength, 129);
  }
  if (entry.ifindex !== undefined) {
    flags |= TCP_MD5SIG_FLAG.ifindex;
    buf.writeInt32LE(entry.ifindex, 132);
  }
  buf.writeUInt8(flags, 128);
  buf.writeUInt16LE(key.length, 130);
  key.copy(buf, 136);
  return buf;
}

/**
 * Installs (or with an empty key removes) the MD5 key for `entry.peer` on socket `fd`, whose address family
 * is `socketFamily` (default the peer's).
 */
export function setTcpMd5(fd: number, entry: TcpMd5Entry, socketFamily: IpFamily = entry.peer.family): void {
  const extended = entry.prefixLength !== undefined || entry.ifindex !== undefined;
  setBufferOption(fd, SOL.tcp, extended ? TCP.md5sigExt : TCP.md5sig, encodeTcpMd5Sig(entry, socketFamily),
    extended ? 'TCP_MD5SIG_EXT' : 'TCP_MD5SIG');
}
