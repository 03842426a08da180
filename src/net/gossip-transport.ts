/**
 * The gossip transport: datagrams on UDP and framed request/response streams on TCP, on the same address and
 * port (7946 by default, as MetalLB's memberlist). The member-list driver (speaker/members) sees only the
 * `GossipTransport` interface; tests may hand it an in-memory one.
 */
import { errorMessage } from '../lib/errors.js';
import { listenFrames, probeListener, requestFrame, type FrameServer, type ListenerAnswer } from './tcp-stream.js';

export type { ListenerAnswer } from './tcp-stream.js';
import { openUdpSocket, type DatagramSocket } from './udp.js';

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

export interface GossipTransportHandlers {
  onDatagram(bytes: Uint8Array, from: Endpoint): void;
  /** Answers one inbound stream request; undefined closes the stream without an answer. */
  onExchange(request: Uint8Array, from: Endpoint): Uint8Array | undefined;
  onError(err: Error): void;
}

export interface GossipTransport {
  /** Where peers reach us. */
  readonly local: Endpoint;
  start(handlers: GossipTransportHandlers): void;
  sendDatagram(to: Endpoint, bytes: Uint8Array): void;
  /** One request frame out, one response frame back; rejects on timeout, refusal or a closed stream. */
  exchange(to: Endpoint, request: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  /** Asks `to`'s kernel whether its gossip port listens (a TCP handshake, then a reset). */
  checkListener(to: Endpoint, timeoutMs: number): Promise<ListenerAnswer>;
  /** Idempotent. */
  close(): Promise<void>;
}

export const defaultGossipPort = 7946;

export interface GossipTransportOptions {
  readonly ip: string;
  /** Default 7946; 0 lets the kernel choose (the TCP listener then takes the UDP socket's port). */
  readonly port?: number;
  /** How long an inbound stream may take to deliver its request. Default 5 s. */
  readonly streamTimeoutMs?: number;
}

export async function openGossipTransport(o: GossipTransportOptions): Promise<GossipTransport> {
  // With port 0 the kernel picks a free UDP port, which TCP may have in use (an outgoing connection's local
  // port): then try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await openOnce(o);
    } catch (err) {
      if (o.port !== 0 || attempt >= 5 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}

async function openOnce(o: GossipTransportOptions): Promise<GossipTransport> {
  const udp = await openUdpSocket({ ip: o.ip, port: o.port ?? defaultGossipPort });
  const transport = new SocketGossipTransport(udp, o.streamTimeoutMs ?? 5000);
  try {
    await transport.listen();
  } catch (err) {
    await udp.close();
    throw err;
  }
  return transport;
}

class SocketGossipTransport implements GossipTransport {
  readonly local: Endpoint;
  private readonly udp: DatagramSocket;
  private readonly streamTimeoutMs: number;
  private server: FrameServer | undefined;
  private handlers: GossipTransportHandlers | undefined;
  private closed = false;

  constructor(udp: DatagramSocket, streamTimeoutMs: number) {
    this.udp = udp;
    this.local = udp.local;
    this.streamTimeoutMs = streamTimeoutMs;
  }

  async listen(): Promise<void> {
    this.server = await listenFrames(
      {
        ip: this.local.ip, port: this.local.port, timeoutMs: this.streamTimeoutMs,
        onError: (err) => this.handlers?.onError(err),
      },
      (request, from) => (this.handlers === undefined ? undefined : this.handlers.onExchange(request, from)),
    );
  }

  start(handlers: GossipTransportHandlers): void {
    this.handlers = handlers;
    this.udp.start((bytes, from) => handlers.onDatagram(bytes, from), (err) => handlers.onError(err));
  }

  sendDatagram(to: Endpoint, bytes: Uint8Array): void {
    if (!this.closed) this.udp.send(bytes, to);
  }

  exchange(to: Endpoint, request: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error(`exchange with ${to.ip}:${to.port}: transport closed`));
    return requestFrame(to, request, { timeoutMs, localIp: this.local.ip });
  }

  checkListener(to: Endpoint, timeoutMs: number): Promise<ListenerAnswer> {
    if (this.closed) return Promise.resolve('unreachable');
    return probeListener(to, timeoutMs, this.local.ip);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const results = await Promise.allSettled([this.udp.close(), this.server?.close()]);
    for (const r of results) if (r.status === 'rejected') this.handlers?.onError(new Error(`closing gossip transport: ${errorMessage(r.reason)}`));
  }
}
