/**
 * A UDP socket for datagram protocols (gossip): bind, send, receive, close. Thin over node:dgram; errors from
 * the kernel become MetallbErrors with its code (`EADDRINUSE`, `EACCES`...), and send failures are reported to
 * `onError`, never thrown at the caller, because a lost datagram is normal for these protocols.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { MetallbError, errorCode } from '../lib/errors.js';

export interface UdpEndpoint {
  readonly ip: string;
  readonly port: number;
}

export interface DatagramSocket {
  /** The bound address and port (the port the kernel chose when 0 was asked). */
  readonly local: UdpEndpoint;
  /** Starts delivering datagrams; `bytes` is owned by the callee. */
  start(onMessage: (bytes: Uint8Array, from: UdpEndpoint) => void, onError: (err: Error) => void): void;
  send(bytes: Uint8Array, to: UdpEndpoint): void;
  /** Idempotent. */
  close(): Promise<void>;
}

export interface UdpOptions {
  readonly ip: string;
  readonly port: number;
  /** SO_RCVBUF: room for bursts while the event loop is busy (the kernel doubles it). Default 1 MiB. */
  readonly receiveBufferBytes?: number;
}

export async function openUdpSocket(o: UdpOptions): Promise<DatagramSocket> {
  const socket = createSocket({ type: isIPv6(o.ip) ? 'udp6' : 'udp4', reuseAddr: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => reject(new MetallbError(errorCode(err) ?? 'ERR_UDP_BIND', `binding UDP ${o.ip}:${o.port}: ${err.message}`, { cause: err })));
    socket.bind({ address: o.ip, port: o.port, exclusive: true }, () => resolve());
  });
  try {
    socket.setRecvBufferSize(o.receiveBufferBytes ?? 1 << 20);
  } catch {
    // The kernel caps SO_RCVBUF at net.core.rmem_max; the default buffer still works.
  }
  const addr = socket.address();
  return new NodeDatagramSocket(socket, { ip: addr.address, port: addr.port });
}

class NodeDatagramSocket implements DatagramSocket {
  readonly local: UdpEndpoint;
  private readonly socket: Socket;
  private onError: (err: Error) => void = () => undefined;
  private closed: Promise<void> | undefined;

  constructor(socket: Socket, local: UdpEndpoint) {
    this.socket = socket;
    this.local = local;
  }

  start(onMessage: (bytes: Uint8Array, from: UdpEndpoint) => void, onError: (err: Error) => void): void {
    this.onError = onError;
    this.socket.removeAllListeners('error');
    this.socket.on('error', (err) => onError(err));
    this.socket.on('message', (msg, rinfo) => onMessage(msg, { ip: rinfo.address, port: rinfo.port }));
  }

  send(bytes: Uint8Array, to: UdpEndpoint): void {
    if (this.closed !== undefined) return;
    this.socket.send(bytes, to.port, to.ip, (err) => {
      if (err) this.onError(new MetallbError(errorCode(err) ?? 'ERR_UDP_SEND', `sending UDP to ${to.ip}:${to.port}: ${err.message}`, { cause: err }));
    });
  }

  close(): Promise<void> {
    this.closed ??= new Promise((resolve) => this.socket.close(() => resolve()));
    return this.closed;
  }
}
