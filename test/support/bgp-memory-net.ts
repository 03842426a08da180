/**
 * An in-memory network for BGP session tests: hosts by address, a dialer and an acceptor per host, and pipes that
 * deliver bytes on the microtask queue (in order, never synchronously). `await settle()` lets them flow.
 */
import type { AcceptOptions, BgpAcceptor, BgpConnectionIo, BgpDialer, DialHandlers, DialOptions } from '../../src/speaker/bgp/transport.js';

class PipeEnd implements BgpConnectionIo {
  peer!: PipeEnd;
  private dataFns: ((c: Uint8Array) => void)[] = [];
  private closeFns: ((e?: string) => void)[] = [];
  closed = false;
  bytesWritten = 0;
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly remotePort: number;

  private readonly net: MemoryNetwork;

  constructor(net: MemoryNetwork, local: string, remote: string, port: number) {
    this.net = net;
    this.localAddress = local;
    this.remoteAddress = remote;
    this.remotePort = port;
  }

  write(bytes: Uint8Array): void {
    if (this.closed || this.net.blackhole) return;
    const copy = bytes.slice();
    this.bytesWritten += copy.length;
    queueMicrotask(() => { if (!this.peer.closed) for (const fn of this.peer.dataFns) fn(copy); });
  }

  close(): void { this.shut(); }
  destroy(): void { this.shut(); }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => {
      for (const fn of this.closeFns) fn();
      this.peer.shut();
    });
  }

  onData(fn: (chunk: Uint8Array) => void): void { this.dataFns.push(fn); }
  onClose(fn: (error?: string) => void): void { this.closeFns.push(fn); }
}

interface Registration { onAccept: (io: BgpConnectionIo) => void; options: AcceptOptions }

export class MemoryNetwork {
  private readonly hosts = new Map<string, Map<string, Registration>>();
  readonly pipes: PipeEnd[] = [];
  /** Host addresses that drop every connection attempt (a peer that is down). */
  readonly unreachable = new Set<string>();
  /** While true, every byte written is lost (a peer that hangs without closing). */
  blackhole = false;

  host(address: string): { dialer: BgpDialer; acceptor: BgpAcceptor } {
    const regs = new Map<string, Registration>();
    this.hosts.set(address, regs);
    const dialer: BgpDialer = { dial: (o, h) => this.dial(address, o, h) };
    const acceptor: BgpAcceptor = {
      register: (peer, options, onAccept) => {
        regs.set(peer, { onAccept, options });
        return { unregister: () => { if (regs.get(peer)?.onAccept === onAccept) regs.delete(peer); } };
      },
    };
    return { dialer, acceptor };
  }

  private dial(from: string, o: DialOptions, h: DialHandlers): { cancel(): void } {
    let cancelled = false;
    queueMicrotask(() => {
      if (cancelled) return;
      const reg = this.unreachable.has(o.peerAddress) ? undefined : this.hosts.get(o.peerAddress)?.get(from);
      // A password mismatch drops the SYN, as TCP MD5 does: the attempt just fails.
      if (reg === undefined || (reg.options.password ?? '') !== (o.password ?? '')) { h.onFailed('ECONNREFUSED'); return; }
      const a = new PipeEnd(this, from, o.peerAddress, o.peerPort);
      const b = new PipeEnd(this, o.peerAddress, from, 40000 + this.pipes.length);
      a.peer = b;
      b.peer = a;
      this.pipes.push(a, b);
      reg.onAccept(b);
      h.onConnected(a);
    });
    return { cancel: () => { cancelled = true; } };
  }

  /** Closes every open pipe (a link failure). */
  cutAll(): void {
    for (const p of this.pipes) p.destroy();
  }
}

/** Lets queued microtasks and deliveries run to completion. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
