/**
 * Typed socket calls over the native addon for what Node's net/dgram cannot do: sockets created in another
 * network namespace, setsockopt/getsockopt with any level and option (TCP_MD5SIG, IP_TTL, IP_MINTTL,
 * IPV6_UNICAST_HOPS, SO_BINDTODEVICE, multicast joins), bind/connect/listen on raw fds. Errors carry the
 * errno `code` and the context: `setting IP_TTL on fd 23: EBADF (setsockopt: Bad file descriptor)`.
 */
import { AF, IP, IPV6, SO, SOCK, SOL } from './constants.js';
import { nativeAddon, netnsPath, sys } from './native.js';
import { decodeSockaddr, encodeSockaddr, type SocketAddress } from './sockaddr.js';
import type { IpFamily } from '../lib/ip.js';

export interface OpenSocketOptions {
  readonly family: IpFamily;
  /** 'stream' (TCP), 'dgram' (UDP) or 'raw'. */
  readonly type: 'stream' | 'dgram' | 'raw';
  readonly protocol?: number;
  /** Create the socket inside this named network namespace (`ip netns` name). */
  readonly netns?: string;
}

const socketTypes = { stream: SOCK.stream, dgram: SOCK.dgram, raw: SOCK.raw } as const;

/** A non-blocking, close-on-exec socket fd. */
export function openSocket(options: OpenSocketOptions): number {
  const domain = options.family === 'IPv4' ? AF.inet : AF.inet6;
  const type = socketTypes[options.type] | SOCK.nonblock | SOCK.cloexec;
  const where = `opening ${options.family} ${options.type} socket${options.netns === undefined ? '' : ` in ${options.netns}`}`;
  return sys(where, () => nativeAddon().socket(domain, type, options.protocol ?? 0,
    options.netns === undefined ? undefined : netnsPath(options.netns)));
}

export function closeSocket(fd: number): void {
  sys(`closing fd ${fd}`, () => nativeAddon().close(fd));
}

export function setIntOption(fd: number, level: number, name: number, value: number, label = `option ${level}/${name}`): void {
  sys(`setting ${label} on fd ${fd}`, () => nativeAddon().setsockopt(fd, level, name, value));
}

export function setBufferOption(fd: number, level: number, name: number, value: Uint8Array, label = `option ${level}/${name}`): void {
  const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  sys(`setting ${label} on fd ${fd}`, () => nativeAddon().setsockopt(fd, level, name, buf));
}

export function getBufferOption(fd: number, level: number, name: number, maxBytes: number, label = `option ${level}/${name}`): Buffer {
  return sys(`reading ${label} on fd ${fd}`, () => nativeAddon().getsockopt(fd, level, name, maxBytes));
}

export function getIntOption(fd: number, level: number, name: number, label = `option ${level}/${name}`): number {
  return getBufferOption(fd, level, name, 4, label).readInt32LE(0);
}

/** The pending error of a socket (SO_ERROR), as an errno number; 0 when none. */
export function socketError(fd: number): number {
  return getIntOption(fd, SOL.socket, SO.error, 'SO_ERROR');
}

export function bindSocket(fd: number, addr: SocketAddress): void {
  sys(`binding fd ${fd}`, () => nativeAddon().bind(fd, encodeSockaddr(addr)));
}

/** Starts a connect; true when already connected, false when in progress (wait for writability). */
export function connectSocket(fd: number, addr: SocketAddress): boolean {
  return sys(`connecting fd ${fd}`, () => nativeAddon().connect(fd, encodeSockaddr(addr)));
}

export function listenSocket(fd: number, backlog = 128): void {
  sys(`listening on fd ${fd}`, () => nativeAddon().listen(fd, backlog));
}

export function localAddress(fd: number): SocketAddress {
  return decodeSockaddr(sys(`getsockname on fd ${fd}`, () => nativeAddon().getsockname(fd)));
}

export function peerAddress(fd: number): SocketAddress {
  return decodeSockaddr(sys(`getpeername on fd ${fd}`, () => nativeAddon().getpeername(fd)));
}

/** SO_BINDTODEVICE: the socket only uses (and receives on) interface `ifname`. */
export function bindToDevice(fd: number, ifname: string): void {
  setBufferOption(fd, SOL.socket, SO.bindtodevice, Buffer.from(`${ifname}\0`), 'SO_BINDTODEVICE');
}

export function setReuseAddress(fd: number, on = true): void {
  setIntOption(fd, SOL.socket, SO.reuseaddr, on ? 1 : 0, 'SO_REUSEADDR');
}

/** The TTL (IPv4) or unicast hop limit (IPv6) of outgoing packets: eBGP multihop, GTSM (RFC 5082) sends 255. */
export function setUnicastTtl(fd: number, family: IpFamily, ttl: number): void {
  if (family === 'IPv4') setIntOption(fd, SOL.ip, IP.ttl, ttl, 'IP_TTL');
  else setIntOption(fd, SOL.ipv6, IPV6.unicastHops, ttl, 'IPV6_UNICAST_HOPS');
}

/** The minimum TTL / hop count accepted on receive (GTSM, RFC 5082: 255 - hops + 1). */
export function setMinimumTtl(fd: number, family: IpFamily, ttl: number): void {
  if (family === 'IPv4') setIntOption(fd, SOL.ip, IP.minttl, ttl, 'IP_MINTTL');
  else setIntOption(fd, SOL.ipv6, IPV6.minHopCount, ttl, 'IPV6_MINHOPCOUNT');
}

export function setIpv6Only(fd: number, on: boolean): void {
  setIntOption(fd, SOL.ipv6, IPV6.v6only, on ? 1 : 0, 'IPV6_V6ONLY');
}
