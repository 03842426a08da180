/**
 * BGP communities as MetalLB writes them: `A:B` (RFC 1997, two 16-bit halves) or `large:A:B:C` (RFC 8092, three
 * 32-bit parts). Anything else with no colon-separated shape of 2 or 4 parts is not a literal at all, so it may
 * be a Community alias (metallb-behaviour.md §2.3, §2.6).
 */
export type BgpCommunity =
  | { readonly kind: 'standard'; /** upper 16 bits << 16 | lower 16 bits */ readonly value: number }
  | { readonly kind: 'large'; readonly globalAdministrator: number; readonly localData1: number; readonly localData2: number };

export type CommunityParse =
  | { readonly community: BgpCommunity }
  /** Shaped like a literal (2 or 4 parts) but a part is out of range or not a number: always an error. */
  | { readonly invalid: string }
  /** Not shaped like a literal: an alias name, or an error when no alias has it. */
  | { readonly notLiteral: true };

// Go's strconv.ParseUint(s, 10, n): decimal digits only, no sign, no spaces.
function parseUint(text: string, bits: 16 | 32): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n < 2 ** bits ? n : undefined;
}

export function parseCommunity(text: string): CommunityParse {
  const parts = text.split(':');
  if (parts.length === 2) {
    const [hi, lo] = parts.map((p) => parseUint(p, 16));
    if (hi === undefined || lo === undefined) {
      return { invalid: `invalid community "${text}": both parts of A:B must be numbers from 0 to 65535` };
    }
    return { community: { kind: 'standard', value: hi * 65536 + lo } };
  }
  if (parts.length === 4) {
    if (parts[0] !== 'large') {
      return { invalid: `invalid community "${text}": a large community is written large:A:B:C` };
    }
    const [a, b, c] = parts.slice(1).map((p) => parseUint(p, 32));
    if (a === undefined || b === undefined || c === undefined) {
      return { invalid: `invalid community "${text}": the parts of large:A:B:C must be numbers from 0 to 4294967295` };
    }
    return { community: { kind: 'large', globalAdministrator: a, localData1: b, localData2: c } };
  }
  return { notLiteral: true };
}

export function formatCommunity(c: BgpCommunity): string {
  if (c.kind === 'standard') return `${Math.floor(c.value / 65536)}:${c.value % 65536}`;
  return `large:${c.globalAdministrator}:${c.localData1}:${c.localData2}`;
}

function asLarge(c: BgpCommunity): [number, number, number] {
  return c.kind === 'standard' ? [c.value, 0, 0] : [c.globalAdministrator, c.localData1, c.localData2];
}

/** MetalLB's order: a standard community compares as the large community `value:0:0`. */
export function compareCommunities(a: BgpCommunity, b: BgpCommunity): number {
  const x = asLarge(a);
  const y = asLarge(b);
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  // Equal as large: order standard before large so the sort is total.
  return (a.kind === 'standard' ? 0 : 1) - (b.kind === 'standard' ? 0 : 1);
}

export function communitiesEqual(a: BgpCommunity, b: BgpCommunity): boolean {
  return formatCommunity(a) === formatCommunity(b);
}
