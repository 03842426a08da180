/**
 * TCP sockets with the options Node's `net` cannot set before the handshake (TCP-MD5, TTL, minimum TTL,
 * SO_BINDTODEVICE), optionally created in another network namespace, then handed to Node as ordinary
 * `net.Socket`s / `net.Server`s (lab-notes.md §5).
 *  - Active: a native non-blocking socket, options, connect(); writability is awaited with a uv_poll that is
 *    stopped (and its epoll registration removed) before the fd goes to `new net.Socket({ fd })`.
 *  - Passive: a native socket, options, bind, listen, then `server.listen({ fd })`; MD5 keys can be added or
 *    removed per peer at any time (`setMd5`), and accepted sockets inherit them.
 */
import { Server, Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import { MetallbError } from '../lib/errors.js';
import { nativeAddon, pollEvents } from './native.js';
import { formatSocketAddress, requireIp, type SocketAddress } from './sockaddr.js';
import {
  bindSocket, bindToDevice, closeSocket, connectSocket, listenSocket, localAddress, openSocket, setIpv6Only,
  setMinimumTtl, setReuseAddress, setUnicastTtl, socketError,
} from './sockopt.js';
import { setTcpMd5, type TcpMd5Entry } from './tcp-md5.js';

export interface TcpSocketOptions {
  /** Create the socket inside this named network namespace. */
  readonly netns?: string;
  readonly bindToDevice?: string;
  /** TTL / hop limit of outgoing packets (eBGP multihop, or 255 for GTSM). */
  readonly ttl?: number;
  /** Minimum TTL / hop count accepted (GTSM). */
  readonly minTtl?: number;
  /** Any other option, applied last before connect/listen. */
  readonly configure?: (fd: number) => void;
}

export interface TcpConnectOptions extends TcpSocketOptions {
  readonly remote: { readonly ip: string; readonly port: number; readonly scopeId?: number };
  readonly local?: { readonly ip: string; readonly port?: number };
  /** TCP-MD5 key shared with the remote address. */
  readonly md5Key?: string | Uint8Array;
  /** Default 5 s; a wrong MD5 key shows up as a timeout (the peer drops the SYN silently). */
  readonly timeoutMs?: number;
}

const errnoNames = new Map(Object.entries(osConstants.errno).map(([name, value]) => [value, name]));

function applyCommon(fd: number, family: 'IPv4' | 'IPv6', options: TcpSocketOptions): void {
  if (options.bindToDevice !== undefined) bindToDevice(fd, options.bindToDevice);
  if (options.ttl !== undefined) setUnicastTtl(fd, family, options.ttl);
  if (options.minTtl !== undefined) setMinimumTtl(fd, family, options.minTtl);
  options.configure?.(fd);
}

/** Connects and resolves with a connected `net.Socket`; rejects with the errno code (`ECONNREFUSED`, `ETIMEDOUT`...). */
export function connectTcp(options: TcpConnectOptions): Promise<Socket> {
  const remoteIp = requireIp(options.remote.ip);
  const remote: SocketAddress = { ip: remoteIp, port: options.remote.port, scopeId: options.remote.scopeId ?? 0 };
  const fd = openSocket({ family: remoteIp.family, type: 'stream', ...(options.netns === undefined ? {} : { netns: options.netns }) });
  let connected: boolean;
  try {
    applyCommon(fd, remoteIp.family, options);
    if (options.md5Key !== undefined) setTcpMd5(fd, { peer: remoteIp, key: options.md5Key }, remoteIp.family);
    if (options.local !== undefined) bindSocket(fd, { ip: requireIp(options.local.ip), port: options.local.port ?? 0 });
    connected = connectSocket(fd, remote);
  } catch (err) {
    closeSocket(fd);
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  if (connected) return Promise.resolve(adoptSocket(fd));
  return awaitConnect(fd, formatSocketAddress(remote), options.timeoutMs ?? 5000);
}

function awaitConnect(fd: number, remote: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // libuv reports POLLERR (a refused or reset connect) as a negative status: SO_ERROR says which.
    const poller = new (nativeAddon().Poller)(fd, (status) => {
      const pending = socketError(fd);
      finish(pending !== 0 ? errnoNames.get(pending) ?? 'EIO' : status < 0 ? 'EIO' : undefined);
    });
    const timer = setTimeout(() => finish('ETIMEDOUT'), timeoutMs);
    let done = false;
    const finish = (code: string | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      poller.close();
      if (code === undefined) {
        resolve(adoptSocket(fd));
        return;
      }
      closeSocket(fd);
      reject(new MetallbError(code, `connecting to ${remote}: ${code}`));
    };
    poller.start(pollEvents.writable);
  });
}

function adoptSocket(fd: number): Socket {
  return new Socket({ fd, readable: true, writable: true });
}

export interface TcpListenOptions extends TcpSocketOptions {
  readonly local: { readonly ip: string; readonly port: number };
  readonly md5?: readonly TcpMd5Entry[];
  readonly backlog?: number;
  /** For `::`: accept IPv4 too (default true, as Node does). */
  readonly dualStack?: boolean;
}

export interface TcpListener {
  readonly server: Server;
  readonly address: SocketAddress;
  /** Adds, replaces or (with an empty key) removes a peer's MD5 key on the listening socket. */
  setMd5(entry: TcpMd5Entry): void;
  close(): Promise<void>;
}

/** Listens and resolves once `server` is accepting; connections go to `onConnection`. */
export async function listenTcp(options: TcpListenOptions, onConnection: (socket: Socket) => void): Promise<TcpListener> {
  const listener = openTcpListener(options, onConnection);
  const { server } = listener;
  if (!server.listening) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => { server.off('error', reject); resolve(); });
    });
  }
  return listener;
}

/**
 * The synchronous half of `listenTcp`: the socket is bound and listening (the kernel queues connections) when it
 * returns, so a bind failure (`EADDRINUSE`, `ENODEV` for a missing device) throws here. Node adopts the fd on the
 * next tick; a later failure is an `error` event on `server`.
 */
export function openTcpListener(options: TcpListenOptions, onConnection: (socket: Socket) => void): TcpListener {
  const ip = requireIp(options.local.ip);
  const fd = openSocket({ family: ip.family, type: 'stream', ...(options.netns === undefined ? {} : { netns: options.netns }) });
  try {
    setReuseAddress(fd);
    if (ip.family === 'IPv6') setIpv6Only(fd, !(options.dualStack ?? true));
    applyCommon(fd, ip.family, options);
    for (const entry of options.md5 ?? []) setTcpMd5(fd, entry, ip.family);
    bindSocket(fd, { ip, port: options.local.port });
    listenSocket(fd, options.backlog ?? 128);
  } catch (err) {
    closeSocket(fd);
    throw err;
  }
  const address = localAddress(fd);
  const server = new Server(onConnection);
  server.listen({ fd, backlog: options.backlog ?? 128 });
  return {
    server,
    address,
    setMd5: (entry) => setTcpMd5(fd, entry, ip.family),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
