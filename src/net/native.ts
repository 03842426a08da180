/**
 * The native addon (native/src/addon.cc), loaded lazily on first use, with its surface typed. Only net/
 * reaches it. The addon throws Errors with an errno `code`; `sysError` wraps them with context.
 */
import { createRequire } from 'node:module';
import { MetallbError, errorCode } from '../lib/errors.js';

export interface NativePoller {
  /** Starts (or changes) polling; `events` is a mask of `pollEvents`. */
  start(events: number): void;
  stop(): void;
  /** Stops polling and releases the libuv handle; the fd itself stays open. */
  close(): void;
}

export interface NativeAddon {
  abiVersion(): number;
  /** `type` includes SOCK_NONBLOCK/SOCK_CLOEXEC. With `netns` (a path such as /run/netns/NAME), the socket is created in that namespace. */
  socket(domain: number, type: number, protocol: number, netns?: string): number;
  ifNameToIndex(name: string, netns?: string): number;
  bind(fd: number, sockaddr: Buffer): void;
  /** True when connected at once, false when the connect is in progress. */
  connect(fd: number, sockaddr: Buffer): boolean;
  listen(fd: number, backlog: number): void;
  setsockopt(fd: number, level: number, name: number, value: number | Buffer): void;
  getsockopt(fd: number, level: number, name: number, maxBytes: number): Buffer;
  getsockname(fd: number): Buffer;
  getpeername(fd: number): Buffer;
  /** Attaches a classic BPF program (8-byte `struct sock_filter` instructions, host byte order). */
  attachFilter(fd: number, program: Buffer): void;
  send(fd: number, data: Buffer, sockaddr?: Buffer): number;
  /** The frame's full length (larger than `into` when truncated), or -1 when nothing is queued. */
  recv(fd: number, into: Buffer): number;
  /**
   * recvmsg with the source address and the received TTL / hop limit (-1 when absent); null when nothing is
   * queued. Optional: addons built before BFD lack it.
   */
  recvFrom?(fd: number, into: Buffer): { length: number; from: Buffer; ttl: number } | null;
  close(fd: number): void;
  Poller: new (fd: number, callback: (status: number, events: number) => void) => NativePoller;
}

export const pollEvents = { readable: 1, writable: 2 } as const;

const expectedAbi = 2;
let loaded: NativeAddon | undefined;

/** The addon; throws `ENATIVE` if it was not built (run `npm ci`) or is stale. */
export function nativeAddon(): NativeAddon {
  if (loaded !== undefined) return loaded;
  const require = createRequire(import.meta.url);
  let addon: NativeAddon;
  try {
    addon = require('../../../native/build/Release/metallb_native.node') as NativeAddon;
  } catch (err) {
    throw new MetallbError('ENATIVE', `loading the native addon (run npm ci to build it): ${(err as Error).message}`, { cause: err });
  }
  if (addon.abiVersion() !== expectedAbi) {
    throw new MetallbError('ENATIVE', `native addon is ABI ${addon.abiVersion()}, expected ${expectedAbi}: rebuild with npm ci`);
  }
  loaded = addon;
  return addon;
}

/** Wraps an error from the addon: `opening ARP socket on "eth0": EPERM (socket: Operation not permitted)`. */
export function sysError(context: string, err: unknown): MetallbError {
  const code = errorCode(err) ?? 'EUNKNOWN';
  const detail = err instanceof Error ? ` (${err.message})` : '';
  return new MetallbError(code, `${context}: ${code}${detail}`, { cause: err });
}

/** Calls `fn`, rethrowing any addon error with `context`. */
export function sys<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw sysError(context, err);
  }
}

/** `/run/netns/<name>` for a named namespace, as `ip netns` creates them. */
export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}
