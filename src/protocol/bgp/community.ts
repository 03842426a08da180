/**
 * COMMUNITIES (RFC 1997) and LARGE_COMMUNITY (RFC 8092) values and their text forms: `65000:100`, the
 * well-known names (`no-export`, ...), and `65000:1:2` for large communities (MetalLB writes `large:65000:1:2`).
 */
import { WellKnownCommunity, type WellKnownCommunityName } from './constants.js';

export interface LargeCommunity {
  readonly globalAdmin: number;
  readonly localData1: number;
  readonly localData2: number;
}

const nameByValue: ReadonlyMap<number, WellKnownCommunityName> = new Map(
  (Object.entries(WellKnownCommunity) as [WellKnownCommunityName, number][]).map(([name, value]) => [value, name]),
);

function parseUint(text: string, max: number): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/** `A:B` (two uint16) or a well-known name -> the 32-bit value; undefined when it is neither. */
export function parseCommunity(text: string): number | undefined {
  const known = (WellKnownCommunity as Readonly<Record<string, number>>)[text];
  if (known !== undefined) return known;
  const parts = text.split(':');
  if (parts.length !== 2) return undefined;
  const hi = parseUint(parts[0] as string, 0xffff);
  const lo = parseUint(parts[1] as string, 0xffff);
  if (hi === undefined || lo === undefined) return undefined;
  return ((hi << 16) | lo) >>> 0;
}

/** `A:B`, always numeric (as FRR's JSON and BIRD print them). */
export function formatCommunity(value: number): string {
  return `${value >>> 16}:${value & 0xffff}`;
}

/** The well-known name of a community value, if it has one. */
export function wellKnownCommunityName(value: number): WellKnownCommunityName | undefined {
  return nameByValue.get(value >>> 0);
}

/** `A:B:C` (three uint32), optionally prefixed by MetalLB's `large:`. */
export function parseLargeCommunity(text: string): LargeCommunity | undefined {
  const body = text.startsWith('large:') ? text.slice('large:'.length) : text;
  const parts = body.split(':');
  if (parts.length !== 3) return undefined;
  const [a, b, c] = parts.map((p) => parseUint(p, 0xffffffff));
  if (a === undefined || b === undefined || c === undefined) return undefined;
  return { globalAdmin: a, localData1: b, localData2: c };
}

export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c.globalAdmin}:${c.localData1}:${c.localData2}`;
}

export function compareLargeCommunity(a: LargeCommunity, b: LargeCommunity): number {
  return a.globalAdmin - b.globalAdmin || a.localData1 - b.localData1 || a.localData2 - b.localData2;
}
