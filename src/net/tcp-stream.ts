/**
 * Framed request/response over TCP: the client connects, writes one frame, reads one frame back, and both
 * sides close (the shape of a gossip push-pull). A frame is `length (u32, big-endian) | bytes`; a length over
 * `maxFrameBytes` ends the stream before anything is buffered. Every exchange has a deadline.
 */
import { connect, createServer, isIPv6, type Server, type Socket } from 'node:net';
import { MetallbError, errorCode } from '../lib/errors.js';

export interface StreamEndpoint {
  readonly ip: string;
  readonly port: number;
}

export const defaultMaxFrameBytes = 4 << 20;

/** Collects one length-prefixed frame from stream chunks (framing before parsing). */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly maxFrameBytes: number;

  constructor(maxFrameBytes = defaultMaxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Adds a chunk; returns the frame once complete. Throws on a frame over the limit or bytes past the frame. */
  push(chunk: Uint8Array): Uint8Array | undefined {
    this.chunks.push(Buffer.from(chunk));
    this.buffered += chunk.length;
    if (this.buffered < 4) return undefined;
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = [all];
    const length = all.readUInt32BE(0);
    if (length > this.maxFrameBytes) throw new MetallbError('ERR_FRAME_TOO_LARGE', `stream frame of ${length} bytes over the ${this.maxFrameBytes}-byte limit`);
    if (all.length < 4 + length) return undefined;
    if (all.length > 4 + length) throw new MetallbError('ERR_FRAME_TRAILING', `${all.length - 4 - length} bytes after the stream frame`);
    return all.subarray(4);
  }
}

export function encodeFrame(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + bytes.length);
  out.writeUInt32BE(bytes.length, 0);
  out.set(bytes, 4);
  return out;
}

function readOneFrame(socket: Socket, maxFrameBytes: number, timeoutMs: number, context: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FrameReader(maxFrameBytes);
    const fail = (err: Error): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new MetallbError('ETIMEDOUT', `${context}: no answer within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      try {
        const frame = reader.push(chunk);
        if (frame === undefined) return;
        cleanup();
        resolve(frame);
      } catch (err) {
        fail(err as Error);
      }
    };
    const onError = (err: Error): void => fail(new MetallbError(errorCode(err) ?? 'ERR_STREAM', `${context}: ${err.message}`, { cause: err }));
    const onEnd = (): void => fail(new MetallbError('ERR_STREAM_CLOSED', `${context}: closed before a whole frame`));
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
  });
}

export interface ExchangeOptions {
  readonly timeoutMs: number;
  readonly maxFrameBytes?: number;
  /** Source address for the connection. */
  readonly localIp?: string;
}

/** Connects, sends `request` as one frame, and resolves with the one frame that comes back. */
export async function requestFrame(to: StreamEndpoint, request: Uint8Array, o: ExchangeOptions): Promise<Uint8Array> {
  const context = `stream to ${to.ip}:${to.port}`;
  const socket = connect({ host: to.ip, port: to.port, ...(o.localIp === undefined ? {} : { localAddress: o.localIp }) });
  socket.setNoDelay(true);
  try {
    const answer = readOneFrame(socket, o.maxFrameBytes ?? defaultMaxFrameBytes, o.timeoutMs, context);
    socket.write(encodeFrame(request));
    return await answer;
  } finally {
    socket.destroy();
  }
}

export type ListenerAnswer = 'listening' | 'refused' | 'unreachable';

/**
 * Whether something listens on `to`, asked of the remote kernel: a completed handshake is `listening` (whatever
 * the listening process is doing), a reset is `refused`, anything else within `timeoutMs` is `unreachable`. The
 * connection is reset at once (no TIME_WAIT left behind).
 */
export function probeListener(to: StreamEndpoint, timeoutMs: number, localIp?: string): Promise<ListenerAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host: to.ip, port: to.port, ...(localIp === undefined ? {} : { localAddress: localIp }) });
    const done = (answer: ListenerAnswer): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      // Reset a completed handshake; a connection still in SYN-SENT is just closed.
      if (answer === 'listening') socket.resetAndDestroy();
      else socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done('unreachable'), timeoutMs);
    socket.once('connect', () => done('listening'));
    socket.once('error', (err) => done(errorCode(err) === 'ECONNREFUSED' ? 'refused' : 'unreachable'));
  });
}

export type FrameHandler = (request: Uint8Array, from: StreamEndpoint) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

export interface FrameServer {
  readonly local: StreamEndpoint;
  /** Idempotent; stops accepting and ends open streams. */
  close(): Promise<void>;
}

export interface ListenOptions {
  readonly ip: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly maxFrameBytes?: number;
  /** Streams served at once; more are closed at once (a bounded queue). Default 64. */
  readonly maxConnections?: number;
  readonly onError?: (err: Error) => void;
}

/** Serves framed exchanges: each connection carries one request frame, answered by `handler` (or closed). */
export async function listenFrames(o: ListenOptions, handler: FrameHandler): Promise<FrameServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    let received = false;
    socket.once('data', () => { received = true; });
    void serveOne(socket, o, handler).catch((err: unknown) => {
      socket.destroy();
      // A connection closed before its first byte is a listener check (probeListener), not an error.
      if (!received && (errorCode(err) === 'ERR_STREAM_CLOSED' || errorCode(err) === 'ECONNRESET')) return;
      o.onError?.(err as Error);
    });
  });
  server.maxConnections = o.maxConnections ?? 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new MetallbError(errorCode(err) ?? 'ERR_TCP_LISTEN', `listening on TCP ${o.ip}:${o.port}: ${err.message}`, { cause: err })));
    server.listen({ host: o.ip, port: o.port, ipv6Only: isIPv6(o.ip) }, () => resolve());
  });
  server.on('error', (err) => o.onError?.(err));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : o.port;
  return new NodeFrameServer(server, sockets, { ip: o.ip, port });
}

async function serveOne(socket: Socket, o: ListenOptions, handler: FrameHandler): Promise<void> {
  const from = { ip: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
  const request = await readOneFrame(socket, o.maxFrameBytes ?? defaultMaxFrameBytes, o.timeoutMs, `stream from ${from.ip}:${from.port}`);
  const reply = await handler(request, from);
  if (reply === undefined) {
    socket.destroy();
    return;
  }
  socket.end(encodeFrame(reply));
}

class NodeFrameServer implements FrameServer {
  readonly local: StreamEndpoint;
  private readonly server: Server;
  private readonly sockets: Set<Socket>;
  private closed: Promise<void> | undefined;

  constructor(server: Server, sockets: Set<Socket>, local: StreamEndpoint) {
    this.server = server;
    this.sockets = sockets;
    this.local = local;
  }

  close(): Promise<void> {
    this.closed ??= new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    return this.closed;
  }
}
