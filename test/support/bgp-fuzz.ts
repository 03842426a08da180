/**
 * The BGP fuzz engine shared by the unit tests (a small run) and bench/bgp-fuzz.ts (a million messages):
 * random and mutated messages go through the framer and the session state machine, in OpenSent (so OPENs are
 * parsed) and in Established (UPDATEs, ROUTE-REFRESH...). It counts crashes (anything thrown) and checks that
 * every NOTIFICATION the machine sends is one RFC 4271 §6 (and RFC 6608, 7313, 7606) allows for that message.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hex } from './hex.js';
import { isRfcCorrectNotification } from './bgp-notifications.js';
import { BgpFramer } from '../../src/protocol/bgp/framer.js';
import { encodeMessage } from '../../src/protocol/bgp/message.js';
import { buildOpen, type LocalSpeaker } from '../../src/protocol/bgp/negotiate.js';
import { initialState, step } from '../../src/protocol/bgp/fsm.js';
import type { FsmConfig, SessionState } from '../../src/protocol/bgp/fsm-types.js';
import { endOfRib } from '../../src/protocol/bgp/update.js';
import { parseCidr, parseIp } from '../../src/lib/ip.js';

/** xorshift32: fast and reproducible from a seed. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0 || 1; }
  next(): number { let x = this.s; x ^= x << 13; x ^= x >>> 17; x ^= x << 5; this.s = x >>> 0; return this.s; }
  int(n: number): number { return this.next() % n; }
  bytes(n: number): Uint8Array { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = this.next() & 0xff; return b; }
}

const local: LocalSpeaker = {
  localAsn: 64512, bgpIdentifier: 0x0a64000b, holdTimeSec: 90, families: ['IPv4', 'IPv6'],
  gracefulRestart: { restartTimeSec: 120, restarting: false, forwardingState: true },
};
const config: FsmConfig = {
  local, expect: { localAsn: 64512, localBgpIdentifier: local.bgpIdentifier, peerAsn: 64500 }, passive: false,
  connectRetryTimeSec: 2, openHoldTimeSec: 240, idleHoldInitialMs: 1000, idleHoldMaxMs: 120_000,
};
const peerOpen = buildOpen({ localAsn: 64500, bgpIdentifier: 0x0a640001, holdTimeSec: 9, families: ['IPv4', 'IPv6'] });

function advance(state: SessionState, bytes: Uint8Array): SessionState {
  for (const frame of new BgpFramer().push(bytes).frames) state = step(state, { type: 'received', connection: 1, frame }).state;
  return state;
}

/** A session with connection 1 in OpenSent, and one in Established (as4 negotiated). */
export function baseStates(): { openSent: SessionState; established: SessionState } {
  let s = initialState(config);
  s = step(s, { type: 'start' }).state;
  const openSent = step(s, { type: 'connected', connection: 1 }).state;
  let e = advance(openSent, encodeMessage(peerOpen, { as4: true }));
  e = advance(e, encodeMessage({ type: 'keepalive' }, { as4: true }));
  if (e.name !== 'Established') throw new Error('fuzz setup did not reach Established');
  return { openSent, established: e };
}

/** Seeds: every golden message plus messages of our own. */
export function seedMessages(): Uint8Array[] {
  const dir = fileURLToPath(new URL('../../../src/protocol/bgp/testdata/', import.meta.url));
  const goldens = readdirSync(dir).filter((f) => f.endsWith('.hex')).map((f) => hex(readFileSync(`${dir}${f}`, 'utf8')));
  const ctx = { as4: true };
  const ours = [
    encodeMessage(peerOpen, ctx),
    encodeMessage({ type: 'keepalive' }, ctx),
    encodeMessage({ type: 'routeRefresh', afi: 1, subtype: 0, safi: 1 }, ctx),
    encodeMessage(endOfRib('IPv6'), ctx),
    encodeMessage({
      type: 'update', withdrawn: [parseCidr('10.9.0.0/16')!], nlri: [parseCidr('10.200.0.10/32')!],
      attributes: {
        origin: 0, asPath: [{ kind: 'sequence', asns: [64500, 4200000001] }], nextHop: parseIp('10.100.0.1')!, multiExitDisc: 5,
        atomicAggregate: true, aggregator: { asn: 64500, address: parseIp('10.0.0.1')! }, communities: [1, 2],
        largeCommunities: [{ globalAdmin: 1, localData1: 2, localData2: 3 }], as4Path: [{ kind: 'set', asns: [1, 2] }],
        mpReach: { afi: 2, safi: 1, nextHop: parseIp('fd00::1')!, linkLocalNextHop: parseIp('fe80::1')!, nlri: [parseCidr('fd00:200::/64')!] },
        mpUnreach: { afi: 2, safi: 1, withdrawn: [parseCidr('fd00:9::/32')!] },
        unknown: [{ flags: 0xc0, type: 99, value: Uint8Array.of(1, 2, 3) }],
      },
    }, ctx),
    encodeMessage({ type: 'notification', code: 6, subcode: 2, data: Uint8Array.of(3, 0x62, 0x79, 0x65) }, ctx),
  ];
  return [...goldens, ...ours];
}

function setLength(m: Uint8Array): void {
  if (m.length >= 18) { m[16] = (m.length >> 8) & 0xff; m[17] = m.length & 0xff; }
}

/** One mutated message: byte/bit changes, truncation, extension, splices; lengths fixed up most of the time. */
export function mutate(rng: Rng, seeds: readonly Uint8Array[]): Uint8Array {
  const seed = seeds[rng.int(seeds.length)] as Uint8Array;
  let m: Uint8Array = seed.slice();
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = 19 + rng.int(Math.max(1, m.length - 19));
    switch (rng.int(7)) {
      case 0: if (at < m.length) m[at] = rng.next() & 0xff; break;
      case 1: if (at < m.length) m[at] = (m[at] as number) ^ (1 << rng.int(8)); break;
      case 2: m = m.slice(0, Math.max(19, at)); break;
      case 3: m = new Uint8Array([...m, ...rng.bytes(1 + rng.int(16))]); break;
      case 4: if (at < m.length) m[at] = [0, 1, 0x7f, 0x80, 0xff, 4, 32, 33, 128, 129][rng.int(10)] as number; break;
      case 5: { const other = seeds[rng.int(seeds.length)] as Uint8Array; m = new Uint8Array([...m.subarray(0, at), ...other.subarray(19 + rng.int(Math.max(1, other.length - 19)))]); break; }
      default: if (at + 1 < m.length) { const n = 1 + rng.int(Math.min(8, m.length - at)); m = new Uint8Array([...m.subarray(0, at), ...m.subarray(at + n)]); }
    }
  }
  if (m.length > 4096) m = m.slice(0, 4096);
  if (rng.int(10) !== 0) setLength(m);
  return m;
}

/** A random message: a valid header of a random (mostly known) type and random body, or raw random bytes. */
export function randomMessage(rng: Rng): Uint8Array {
  if (rng.int(20) === 0) return rng.bytes(rng.int(64));
  const body = rng.bytes(rng.int(rng.int(4) === 0 ? 400 : 60));
  const m = new Uint8Array(19 + body.length).fill(0xff);
  m[18] = rng.int(12) === 0 ? rng.next() & 0xff : 1 + rng.int(5);
  m.set(body, 19);
  setLength(m);
  return m;
}

export interface FuzzReport {
  messages: number;
  crashes: number;
  notifications: number;
  wrongNotifications: number;
  /** NOTIFICATION code/subcode -> count. */
  byCode: Map<string, number>;
  /** UPDATEs that survived with an RFC 7606 repair: action -> count. */
  repaired: Map<string, number>;
  firstCrash?: { input: string; error: string };
  firstWrong?: { input: string; notification: string };
}

/** Feeds `count` messages (half random, half mutated) to both base states. */
export function fuzz(count: number, seed: number): FuzzReport {
  const rng = new Rng(seed);
  const seeds = seedMessages();
  const { openSent, established } = baseStates();
  const report: FuzzReport = { messages: 0, crashes: 0, notifications: 0, wrongNotifications: 0, byCode: new Map(), repaired: new Map() };
  for (let i = 0; i < count; i++) {
    const input = i % 2 === 0 ? mutate(rng, seeds) : randomMessage(rng);
    const state = (i >> 1) % 2 === 0 ? established : openSent;
    report.messages++;
    try {
      const { frames, error } = new BgpFramer().push(input);
      const type = input.length >= 19 ? input[18] : undefined;
      const sent: string[] = [];
      let s = state;
      for (const frame of frames) {
        const r = step(s, { type: 'received', connection: 1, frame });
        s = r.state;
        for (const a of r.actions) {
          if (a.type === 'send' && a.message.type === 'notification') sent.push(`${a.message.code}/${a.message.subcode}`);
          if (a.type === 'receivedUpdate' && a.update.action !== undefined) report.repaired.set(a.update.action, (report.repaired.get(a.update.action) ?? 0) + 1);
        }
      }
      if (error !== undefined) sent.push(`${error.code}/${error.subcode}`);
      for (const n of sent) {
        report.notifications++;
        report.byCode.set(n, (report.byCode.get(n) ?? 0) + 1);
        const [code, subcode] = n.split('/').map(Number) as [number, number];
        if (!isRfcCorrectNotification(type, code, subcode)) {
          report.wrongNotifications++;
          report.firstWrong ??= { input: Buffer.from(input).toString('hex'), notification: n };
        }
      }
    } catch (err) {
      report.crashes++;
      report.firstCrash ??= { input: Buffer.from(input).toString('hex'), error: (err as Error).stack ?? String(err) };
    }
  }
  return report;
}
