/**
 * In-memory PacketConns for tests: conns attached to one `MemorySegment` see every frame the others send
 * (a hub: no learning, no loss), filtered by ethertype like a bound packet socket. Delivery is synchronous
 * but never re-entrant: a frame sent while another is being delivered is queued and delivered right after,
 * so a responder's reply reaches the peer within the same `inject`/`send` call.
 */
import { MetallbError } from '../lib/errors.js';
import type { PacketConn } from './packet-conn.js';

export interface MemoryConnOptions {
  readonly ifname: string;
  readonly mac: Uint8Array;
  readonly ifindex?: number;
  /** Only frames with this ethertype are delivered (undefined = all). */
  readonly ethertype?: number;
}

interface Pending {
  readonly from: MemoryPacketConn | undefined;
  readonly frame: Uint8Array;
}

export class MemorySegment {
  private readonly conns = new Set<MemoryPacketConn>();
  private readonly queue: Pending[] = [];
  private delivering = false;
  /** Every frame put on the segment, in order (copies). */
  readonly frames: Uint8Array[] = [];

  attach(options: MemoryConnOptions): MemoryPacketConn {
    const conn = new MemoryPacketConn(this, options);
    this.conns.add(conn);
    return conn;
  }

  /** Puts a frame on the wire as if from a host outside the test (delivered to every conn). */
  inject(frame: Uint8Array): void {
    this.transmit(undefined, frame);
  }

  /** @internal */
  transmit(from: MemoryPacketConn | undefined, frame: Uint8Array): void {
    const copy = Uint8Array.from(frame);
    this.frames.push(copy);
    this.queue.push({ from, frame: copy });
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        for (const conn of this.conns) if (conn !== next.from) conn.deliver(next.frame);
      }
    } finally {
      this.delivering = false;
    }
  }

  /** @internal */
  detach(conn: MemoryPacketConn): void {
    this.conns.delete(conn);
  }
}

export class MemoryPacketConn implements PacketConn {
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: Uint8Array;
  /** Frames this conn sent (copies). */
  readonly sent: Uint8Array[] = [];
  /** Multicast MACs joined, with their reference counts. */
  readonly multicastMacs = new Map<string, number>();
  /** Set to make the next sends fail with this errno code (e.g. 'ENOBUFS'). */
  failSendsWith: string | undefined;
  private readonly segment: MemorySegment;
  private readonly ethertype: number | undefined;
  private onFrame: ((frame: Uint8Array) => void) | undefined;
  private closed = false;

  constructor(segment: MemorySegment, options: MemoryConnOptions) {
    this.segment = segment;
    this.ifname = options.ifname;
    this.ifindex = options.ifindex ?? 1;
    this.mac = Uint8Array.from(options.mac);
    this.ethertype = options.ethertype;
  }

  start(onFrame: (frame: Uint8Array) => void): void {
    if (this.closed) throw new MetallbError('ECLOSED', `memory conn "${this.ifname}" is closed`);
    this.onFrame = onFrame;
  }

  send(frame: Uint8Array): void {
    if (this.closed) throw new MetallbError('ECLOSED', `memory conn "${this.ifname}" is closed`);
    if (this.failSendsWith !== undefined) {
      throw new MetallbError(this.failSendsWith, `sending on "${this.ifname}": ${this.failSendsWith}`);
    }
    this.sent.push(Uint8Array.from(frame));
    this.segment.transmit(this, frame);
  }

  joinMulticastMac(mac: Uint8Array): void {
    const key = macKey(mac);
    this.multicastMacs.set(key, (this.multicastMacs.get(key) ?? 0) + 1);
  }

  leaveMulticastMac(mac: Uint8Array): void {
    const key = macKey(mac);
    const count = (this.multicastMacs.get(key) ?? 0) - 1;
    if (count > 0) this.multicastMacs.set(key, count); else this.multicastMacs.delete(key);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onFrame = undefined;
    this.segment.detach(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal */
  deliver(frame: Uint8Array): void {
    if (this.onFrame === undefined) return;
    if (this.ethertype !== undefined && frame.length >= 14 && (((frame[12] as number) << 8) | (frame[13] as number)) !== this.ethertype) return;
    this.onFrame(Uint8Array.from(frame));
  }
}

function macKey(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Two conns on one fresh segment. */
export function memoryPacketPair(a: MemoryConnOptions, b: MemoryConnOptions): [MemoryPacketConn, MemoryPacketConn, MemorySegment] {
  const segment = new MemorySegment();
  return [segment.attach(a), segment.attach(b), segment];
}
