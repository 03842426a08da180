/**
 * AS_PATH and AS4_PATH (RFC 4271 §4.3 and §5.1.2, RFC 6793 §4). A path is a list of segments, each
 * `type(1) count(1) asns(count × 2 or 4)`. Two-octet paths are used only toward a peer that did not send the
 * 4-octet AS capability; then ASNs above 65535 become AS_TRANS and the true path travels in AS4_PATH.
 */
import { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { AsPathSegmentType, asTrans } from './constants.js';

export type AsPathSegmentKind = 'set' | 'sequence' | 'confedSequence' | 'confedSet';

export interface AsPathSegment {
  readonly kind: AsPathSegmentKind;
  readonly asns: readonly number[];
}

export type AsPath = readonly AsPathSegment[];

const kindByCode: Readonly<Record<number, AsPathSegmentKind>> = {
  [AsPathSegmentType.AsSet]: 'set',
  [AsPathSegmentType.AsSequence]: 'sequence',
  [AsPathSegmentType.AsConfedSequence]: 'confedSequence',
  [AsPathSegmentType.AsConfedSet]: 'confedSet',
};

const codeByKind: Readonly<Record<AsPathSegmentKind, number>> = {
  set: AsPathSegmentType.AsSet,
  sequence: AsPathSegmentType.AsSequence,
  confedSequence: AsPathSegmentType.AsConfedSequence,
  confedSet: AsPathSegmentType.AsConfedSet,
};

/** A malformed path (RFC 7606 §7.2); the caller decides the action. */
export class MalformedAsPath extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedAsPath';
  }
}

/** Decodes a whole AS_PATH / AS4_PATH value. Throws MalformedAsPath (or WireError) on bad syntax. */
export function decodeAsPath(value: Uint8Array, asnBytes: 2 | 4): AsPath {
  const r = new Reader(value);
  const segments: AsPathSegment[] = [];
  while (r.remaining > 0) {
    if (r.remaining < 2) throw new MalformedAsPath('as_path ends inside a segment header');
    const code = r.u8();
    const count = r.u8();
    const kind = kindByCode[code];
    // RFC 7606 §7.2: an unrecognized segment type or a zero segment length makes the path malformed.
    if (kind === undefined) throw new MalformedAsPath(`segment type ${code}`);
    if (count === 0) throw new MalformedAsPath('segment of length 0');
    if (r.remaining < count * asnBytes) throw new MalformedAsPath(`segment of ${count} asns overruns the attribute`);
    const asns: number[] = new Array<number>(count);
    for (let i = 0; i < count; i++) asns[i] = asnBytes === 4 ? r.u32() : r.u16();
    segments.push({ kind, asns });
  }
  return segments;
}

/** Encodes a path; segments longer than 255 are split. With `asnBytes` 2, ASNs above 65535 become AS_TRANS. */
export function encodeAsPath(w: Writer, path: AsPath, asnBytes: 2 | 4): void {
  for (const segment of path) {
    for (let start = 0; start < segment.asns.length; start += 255) {
      const chunk = segment.asns.slice(start, start + 255);
      w.u8(codeByKind[segment.kind]).u8(chunk.length);
      for (const asn of chunk) {
        if (asnBytes === 4) w.u32(asn);
        else w.u16(asn > 0xffff ? asTrans : asn);
      }
    }
  }
}

/** True when a 2-octet encoding would lose information (some ASN needs AS_TRANS), so AS4_PATH is needed. */
export function needsAs4Path(path: AsPath): boolean {
  return path.some((s) => s.asns.some((asn) => asn > 0xffff));
}

/** RFC 4271 §9.1.2.2 (a): the number of ASes a path counts for; a set counts 1, confederation segments 0. */
export function asPathLength(path: AsPath): number {
  let n = 0;
  for (const s of path) {
    if (s.kind === 'sequence') n += s.asns.length;
    else if (s.kind === 'set') n += 1;
  }
  return n;
}

/** The leftmost AS of the path (the neighbour's, for eBGP), if the path starts with a sequence. */
export function firstAs(path: AsPath): number | undefined {
  const first = path[0];
  return first !== undefined && first.kind === 'sequence' ? first.asns[0] : undefined;
}

/**
 * RFC 6793 §4.2.3: rebuilds the true path from an OLD speaker's AS_PATH and AS4_PATH. When AS_PATH counts fewer
 * ASes than AS4_PATH, AS4_PATH is ignored; otherwise the leading ASes of AS_PATH are kept and AS4_PATH appended.
 */
export function mergeAs4Path(asPath: AsPath, as4Path: AsPath): AsPath {
  const total = asPathLength(asPath);
  const extra = total - asPathLength(as4Path);
  if (extra < 0) return asPath;
  const leading: AsPathSegment[] = [];
  let left = extra;
  for (const s of asPath) {
    if (left <= 0) break;
    if (s.kind === 'sequence') {
      const take = Math.min(left, s.asns.length);
      leading.push({ kind: 'sequence', asns: s.asns.slice(0, take) });
      left -= take;
    } else if (s.kind === 'set') {
      leading.push(s);
      left -= 1;
    } else {
      leading.push(s);
    }
  }
  return [...leading, ...as4Path];
}
