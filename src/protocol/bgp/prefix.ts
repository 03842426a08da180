/**
 * NLRI prefixes (RFC 4271 §4.3, RFC 4760 §5): `length(1) prefix(ceil(length/8))`, trailing bits ignored.
 * Prefixes are `Cidr`s (bigint base, host bits zero) so they compare by value and key by `formatCidr`.
 */
import type { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { familyBits, type Cidr, type IpFamily } from '../../lib/ip.js';

/** A syntax error in an NLRI or withdrawn-routes field; the caller maps it to an RFC 7606 action. */
export class MalformedPrefix extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPrefix';
  }
}

/** Decodes prefixes until the reader is exhausted. */
export function decodePrefixes(r: Reader, family: IpFamily): Cidr[] {
  const bits = familyBits(family);
  const out: Cidr[] = [];
  while (r.remaining > 0) {
    const length = r.u8();
    // RFC 7606 §5.3: a length longer than the address is a syntax error of the NLRI field.
    if (length > bits) throw new MalformedPrefix(`prefix length ${length} for ${family}`);
    const n = (length + 7) >> 3;
    if (r.remaining < n) throw new MalformedPrefix(`prefix of length ${length} overruns the field`);
    const bytes = r.bytes(n);
    let base = 0n;
    if (family === 'IPv4') {
      let v = 0;
      for (let i = 0; i < 4; i++) v = v * 256 + (i < n ? (bytes[i] as number) : 0);
      base = BigInt(v);
    } else {
      for (let i = 0; i < 16; i++) base = (base << 8n) | BigInt(i < n ? (bytes[i] as number) : 0);
    }
    const hostBits = BigInt(bits - length);
    base = (base >> hostBits) << hostBits;
    out.push({ family, base, prefixLength: length });
  }
  return out;
}

/** The encoded size of one prefix. */
export function prefixBytes(prefix: Cidr): number {
  return 1 + ((prefix.prefixLength + 7) >> 3);
}

/** Encodes one prefix into a fresh array (for pre-encoding large advertisement sets). */
export function encodePrefix(prefix: Cidr): Uint8Array {
  const n = (prefix.prefixLength + 7) >> 3;
  const out = new Uint8Array(1 + n);
  out[0] = prefix.prefixLength;
  if (prefix.family === 'IPv4') {
    const v = Number(prefix.base);
    for (let i = 0; i < n; i++) out[1 + i] = (v >>> (24 - 8 * i)) & 0xff;
  } else {
    for (let i = 0; i < n; i++) out[1 + i] = Number((prefix.base >> BigInt(120 - 8 * i)) & 0xffn);
  }
  return out;
}

export function writePrefixes(w: Writer, prefixes: readonly Cidr[]): void {
  for (const p of prefixes) w.bytes(encodePrefix(p));
}
