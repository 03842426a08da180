import { WireError } from './wire-error.js';

/**
 * A bounds-checked cursor over bytes. `sub(n)` hands a TLV its own limit; `end()` asserts the declared length
 * was consumed exactly. Views are `subarray`s: copy any bytes that must outlive the receive buffer.
 */
export class Reader {
  private pos = 0;
  private readonly buf: Uint8Array;
  private readonly baseOffset: number;

  constructor(buf: Uint8Array, baseOffset = 0) {
    this.buf = buf;
    this.baseOffset = baseOffset;
  }

  /** Absolute offset of the cursor in the outermost buffer (for error reports). */
  get offset(): number {
    return this.baseOffset + this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new WireError(`truncated ${what}: need ${n} bytes, have ${this.buf.length - this.pos}`, this.offset);
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++] as number;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = ((this.buf[this.pos] as number) << 8) | (this.buf[this.pos + 1] as number);
    this.pos += 2;
    return v;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    const v = (((b[p] as number) << 24) | ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number)) >>> 0;
    this.pos += 4;
    return v;
  }

  u64(what = 'u64'): bigint {
    const hi = BigInt(this.u32(what));
    const lo = BigInt(this.u32(what));
    return (hi << 32n) | lo;
  }

  /** A view of the next `n` bytes (not a copy). */
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** The rest of the buffer as a view. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  /** A Reader limited to the next `n` bytes; this reader skips past them. */
  sub(n: number, what = 'sub-field'): Reader {
    const start = this.offset;
    return new Reader(this.bytes(n, what), start);
  }

  skip(n: number, what = 'padding'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** Asserts every byte was consumed. */
  end(what = 'message'): void {
    if (this.pos !== this.buf.length) {
      throw new WireError(`${this.buf.length - this.pos} trailing bytes after ${what}`, this.offset);
    }
  }
}
