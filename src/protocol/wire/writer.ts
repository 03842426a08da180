import { assert } from '../../lib/assert.js';

/** A growable big-endian byte buffer. Length fields are reserved with `reserveN` and back-patched with `patchN`. */
export class Writer {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): this {
    assert(Number.isInteger(v) && v >= 0 && v <= 0xff, `u8 out of range: ${v}`);
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    assert(Number.isInteger(v) && v >= 0 && v <= 0xffff, `u16 out of range: ${v}`);
    this.ensure(2);
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    assert(Number.isInteger(v) && v >= 0 && v <= 0xffffffff, `u32 out of range: ${v}`);
    this.ensure(4);
    this.buf[this.pos++] = v >>> 24;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u64(v: bigint): this {
    assert(v >= 0n && v < 1n << 64n, `u64 out of range: ${v}`);
    return this.u32(Number(v >> 32n)).u32(Number(v & 0xffffffffn));
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Reserves a field of `bytes` bytes and returns its offset for `patch`. */
  reserve(bytes: 1 | 2 | 4): number {
    const at = this.pos;
    this.zeros(bytes);
    return at;
  }

  patchU8(at: number, v: number): void {
    assert(at + 1 <= this.pos && v >= 0 && v <= 0xff, `patchU8 ${v} at ${at}`);
    this.buf[at] = v;
  }

  patchU16(at: number, v: number): void {
    assert(at + 2 <= this.pos && v >= 0 && v <= 0xffff, `patchU16 ${v} at ${at}`);
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
  }

  patchU32(at: number, v: number): void {
    assert(at + 4 <= this.pos && v >= 0 && v <= 0xffffffff, `patchU32 ${v} at ${at}`);
    this.buf[at] = v >>> 24;
    this.buf[at + 1] = (v >>> 16) & 0xff;
    this.buf[at + 2] = (v >>> 8) & 0xff;
    this.buf[at + 3] = v & 0xff;
  }

  /** The bytes written so far, as a view. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** The bytes written so far, as an owned copy. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
