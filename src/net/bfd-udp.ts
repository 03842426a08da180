/**
 * Single-hop BFD over UDP (RFC 5881) through the native addon, so sockets can live in another network namespace
 * and the received TTL can be read (node:dgram can do neither). Per address family: a receive socket bound to
 * port 3784 with IP_RECVTTL / IPV6_RECVHOPLIMIT, whose TTL is handed up with each datagram (the GTSM check,
 * TTL 255, is the caller's pure decision), and a send socket bound to a random source port in 49152-65535 with
 * TTL / unicast hop limit 255. IP_MINTTL is not used: Linux applies it to TCP only. For a peer in a VRF, both
 * sockets are bound to the VRF device.
 */
import { MetallbError, errorCode } from '../lib/errors.js';
import { formatIp, type IpFamily } from '../lib/ip.js';
import { bfdControlPort, bfdSourcePortMax, bfdSourcePortMin, bfdTtl } from '../protocol/bfd/constants.js';
import type { BfdDatagram, BfdTransport, BfdTransportFactory } from '../speaker/bgp/bfd-transport.js';
import { IP, IPV6, SOL } from './constants.js';
import { nativeAddon, pollEvents, sys, sysError, type NativeAddon, type NativePoller } from './native.js';
import { decodeSockaddr, encodeSockaddr, requireIp } from './sockaddr.js';
import { bindSocket, bindToDevice, closeSocket, openSocket, setIntOption, setIpv6Only, setUnicastTtl } from './sockopt.js';

export interface BfdUdpOptions {
  /** Create the sockets in this network namespace (`ip netns` name). */
  readonly netns?: string;
  /** Bind to this address per family instead of the wildcard. */
  readonly localAddress?: Partial<Record<IpFamily, string>>;
  /** For the source port; default Math.random. */
  readonly random?: () => number;
  /** Bind both sockets to this Linux VRF device (SO_BINDTODEVICE). */
  readonly vrf?: string;
}

type RecvFromFn = NonNullable<NativeAddon['recvFrom']>;
type RecvFrom = NonNullable<ReturnType<RecvFromFn>>;

function recvFromFn(): RecvFromFn {
  const addon = nativeAddon();
  const fn = addon.recvFrom;
  if (fn === undefined) throw new MetallbError('ENATIVE', 'the native addon has no recvFrom (built before BFD): rebuild with npm ci');
  return (fd, into) => fn.call(addon, fd, into);
}

export class BfdUdpTransportFactory implements BfdTransportFactory {
  private readonly options: BfdUdpOptions;

  constructor(options: BfdUdpOptions = {}) {
    this.options = options;
  }

  open(family: IpFamily, onDatagram: (d: BfdDatagram) => void, onError: (err: Error) => void, vrf?: string): BfdTransport {
    return BfdUdpTransport.open(family, vrf === undefined ? this.options : { ...this.options, vrf }, onDatagram, onError);
  }
}

function wildcard(family: IpFamily): string {
  return family === 'IPv4' ? '0.0.0.0' : '::';
}

function openBound(family: IpFamily, o: BfdUdpOptions, port: number): number {
  const fd = openSocket({ family, type: 'dgram', ...(o.netns === undefined ? {} : { netns: o.netns }) });
  try {
    if (family === 'IPv6') setIpv6Only(fd, true);
    if (o.vrf !== undefined) bindToDevice(fd, o.vrf);
    if (port === bfdControlPort) {
      // No SO_REUSEADDR: a second BFD daemon on 3784 (bfdd) must be an EADDRINUSE, not a silent split of packets.
      if (family === 'IPv4') setIntOption(fd, SOL.ip, IP.recvttl, 1, 'IP_RECVTTL');
      else setIntOption(fd, SOL.ipv6, IPV6.recvHopLimit, 1, 'IPV6_RECVHOPLIMIT');
    } else {
      setUnicastTtl(fd, family, bfdTtl);
    }
    bindSocket(fd, { ip: requireIp(o.localAddress?.[family] ?? wildcard(family)), port });
    return fd;
  } catch (err) {
    closeSocket(fd);
    throw err;
  }
}

/** A send socket on a free random port in 49152-65535 (a few tries, then the error). */
function openSender(family: IpFamily, o: BfdUdpOptions): number {
  const random = o.random ?? Math.random;
  const span = bfdSourcePortMax - bfdSourcePortMin + 1;
  for (let attempt = 0; ; attempt++) {
    const port = bfdSourcePortMin + Math.floor(random() * span);
    try {
      return openBound(family, o, port);
    } catch (err) {
      if (errorCode(err) !== 'EADDRINUSE' || attempt >= 16) throw err;
    }
  }
}

class BfdUdpTransport implements BfdTransport {
  private readonly rxFd: number;
  private readonly txFd: number;
  private readonly poller: NativePoller;
  private readonly buffer = Buffer.alloc(512);
  private readonly onError: (err: Error) => void;
  private closed = false;

  private constructor(rxFd: number, txFd: number, onDatagram: (d: BfdDatagram) => void, onError: (err: Error) => void) {
    this.rxFd = rxFd;
    this.txFd = txFd;
    this.onError = onError;
    const recv = recvFromFn();
    this.poller = new (nativeAddon().Poller)(rxFd, (status) => {
      if (status < 0) onError(new MetallbError('EPOLL', `polling the BFD socket: libuv status ${status}`));
      else this.drain(recv, onDatagram, onError);
    });
    this.poller.start(pollEvents.readable);
  }

  static open(family: IpFamily, o: BfdUdpOptions, onDatagram: (d: BfdDatagram) => void, onError: (err: Error) => void): BfdUdpTransport {
    const rx = openBound(family, o, bfdControlPort);
    let tx: number | undefined;
    try {
      tx = openSender(family, o);
      return new BfdUdpTransport(rx, tx, onDatagram, onError);
    } catch (err) {
      closeSocket(rx);
      if (tx !== undefined) closeSocket(tx);
      throw err;
    }
  }

  private drain(recv: RecvFromFn, onDatagram: (d: BfdDatagram) => void, onError: (err: Error) => void): void {
    for (let i = 0; i < 64 && !this.closed; i++) {
      let got: RecvFrom | null;
      try {
        got = recv(this.rxFd, this.buffer);
      } catch (err) {
        onError(sysError('receiving BFD', err));
        return;
      }
      if (got === null) return;
      if (got.length > this.buffer.length) continue;
      const from = decodeSockaddr(got.from);
      onDatagram({ bytes: Uint8Array.from(this.buffer.subarray(0, got.length)), fromIp: formatIp(from.ip), fromPort: from.port, ttl: got.ttl });
    }
  }

  send(bytes: Uint8Array, peerIp: string): void {
    if (this.closed) return;
    const to = encodeSockaddr({ ip: requireIp(peerIp), port: bfdControlPort });
    try {
      sys(`sending BFD to ${peerIp}`, () => nativeAddon().send(this.txFd, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), to));
    } catch (err) {
      // A lost control packet is normal for BFD (no route yet, buffer full): report it, never throw.
      this.onError(err as Error);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poller.close();
    closeSocket(this.rxFd);
    closeSocket(this.txFd);
  }
}
