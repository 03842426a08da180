/**
 * SWIM messages: our own wire format (wire compatibility with hashicorp/memberlist's msgpack is not a goal,
 * see DESIGN.md). Inside a packet body (packet.ts) each message is framed as
 *
 *    0                   1                   2
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+---
 *   |     type      |         length (u16)          | body (length bytes) ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+---
 *
 * Integers are big-endian. A name is `len (u8, 1..253) | UTF-8`. An address is `family (u8: 4 or 6) | 4 or 16
 * bytes | port (u16)`. Meta is `len (u16, <= maxMetaBytes) | bytes`. A body must be consumed exactly; new facts
 * get new message types (receivers skip types they do not know), incompatible changes bump the packet version.
 */
import { formatIp, ipFromBytes, ipToBytes, parseIp } from '../../lib/ip.js';
import { Reader } from '../wire/reader.js';
import { WireError } from '../wire/wire-error.js';
import { Writer } from '../wire/writer.js';

// wire values: append only. The numbers are part of the protocol.
export const MessageType = {
  Ping: 1,
  IndirectPing: 2,
  Ack: 3,
  Nack: 4,
  Alive: 5,
  Suspect: 6,
  Dead: 7,
  PushPull: 8,
} as const;
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

// wire values: append only.
export const MemberStateCode = { Alive: 0, Suspect: 1, Dead: 2, Left: 3 } as const;

/** Node names are Kubernetes node names: DNS subdomains, at most 253 bytes. */
export const maxNameBytes = 253;
/** Opaque per-member metadata carried by alive messages and push-pull records. */
export const maxMetaBytes = 512;
/** The largest member table a push-pull may carry. */
export const maxPushPullMembers = 4096;

/** A member's gossip endpoint; `ip` is in canonical text form (lib/ip `formatIp`). */
export interface Address {
  readonly ip: string;
  readonly port: number;
}

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** One member as carried by a push-pull. */
export interface MemberRecord {
  readonly name: string;
  readonly address: Address;
  readonly incarnation: number;
  readonly state: MemberState;
  readonly meta: Uint8Array;
}

/** Ping: `seqNo (u32) | target name`. The target name lets a node refuse pings meant for a previous owner of its address. */
export interface Ping { readonly type: 'ping'; readonly seqNo: number; readonly target: string }
/** Indirect ping request: `seqNo (u32) | flags (u8, bit 0 = wants nack) | target name | target address`. */
export interface IndirectPing {
  readonly type: 'indirectPing';
  readonly seqNo: number;
  readonly nack: boolean;
  readonly target: string;
  readonly targetAddress: Address;
}
/** Ack: `seqNo (u32)`. */
export interface Ack { readonly type: 'ack'; readonly seqNo: number }
/** Nack (Lifeguard): `seqNo (u32)`: the relay is alive but heard nothing from the target. */
export interface Nack { readonly type: 'nack'; readonly seqNo: number }
/** Alive: `incarnation (u32) | name | address | meta`. */
export interface Alive {
  readonly type: 'alive';
  readonly incarnation: number;
  readonly name: string;
  readonly address: Address;
  readonly meta: Uint8Array;
}
/** Suspect: `incarnation (u32) | name | from`. */
export interface Suspect { readonly type: 'suspect'; readonly incarnation: number; readonly name: string; readonly from: string }
/** Dead: `incarnation (u32) | name | from`; `from === name` means the member left gracefully. */
export interface Dead { readonly type: 'dead'; readonly incarnation: number; readonly name: string; readonly from: string }
/** Push-pull (TCP only): `flags (u8, bit 0 = join) | count (u16) | count x (name | address | incarnation | state | meta)`. */
export interface PushPull { readonly type: 'pushPull'; readonly join: boolean; readonly members: readonly MemberRecord[] }
/** A message of a type this version does not know; skipped, never an error. */
export interface UnknownMessage { readonly type: 'unknown'; readonly code: number }

export type Message = Ping | IndirectPing | Ack | Nack | Alive | Suspect | Dead | PushPull;
export type DecodedMessage = Message | UnknownMessage;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function nameBytes(name: string): Uint8Array {
  const b = utf8Encoder.encode(name);
  if (b.length === 0 || b.length > maxNameBytes) throw new RangeError(`member name of ${b.length} bytes`);
  return b;
}

function writeName(w: Writer, name: string): void {
  const b = nameBytes(name);
  w.u8(b.length).bytes(b);
}

export function readName(r: Reader): string {
  const at = r.offset;
  const n = r.u8('name length');
  if (n === 0 || n > maxNameBytes) throw new WireError(`name of ${n} bytes`, at);
  try {
    return utf8Decoder.decode(r.bytes(n, 'name'));
  } catch (err) {
    if (err instanceof WireError) throw err;
    throw new WireError('name is not UTF-8', at);
  }
}

function writeAddress(w: Writer, a: Address): void {
  const ip = parseIp(a.ip);
  if (ip === undefined) throw new RangeError(`address ${a.ip} is not an IP`);
  const bytes = ipToBytes(ip);
  w.u8(bytes.length === 4 ? 4 : 6).bytes(bytes).u16(a.port);
}

function readAddress(r: Reader): Address {
  const at = r.offset;
  const family = r.u8('address family');
  if (family !== 4 && family !== 6) throw new WireError(`address family ${family}`, at);
  const ip = formatIp(ipFromBytes(r.bytes(family === 4 ? 4 : 16, 'address')));
  return { ip, port: r.u16('port') };
}

function writeMeta(w: Writer, meta: Uint8Array): void {
  if (meta.length > maxMetaBytes) throw new RangeError(`meta of ${meta.length} bytes`);
  w.u16(meta.length).bytes(meta);
}

function readMeta(r: Reader): Uint8Array {
  const at = r.offset;
  const n = r.u16('meta length');
  if (n > maxMetaBytes) throw new WireError(`meta of ${n} bytes`, at);
  return r.bytes(n, 'meta').slice();
}

const stateByCode: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left'];
const codeByState: Record<MemberState, number> = {
  alive: MemberStateCode.Alive,
  suspect: MemberStateCode.Suspect,
  dead: MemberStateCode.Dead,
  left: MemberStateCode.Left,
};

function readState(r: Reader): MemberState {
  const at = r.offset;
  const code = r.u8('member state');
  const state = stateByCode[code];
  if (state === undefined) throw new WireError(`member state ${code}`, at);
  return state;
}

function writeRecord(w: Writer, m: MemberRecord): void {
  writeName(w, m.name);
  writeAddress(w, m.address);
  w.u32(m.incarnation).u8(codeByState[m.state]);
  writeMeta(w, m.meta);
}

function readRecord(r: Reader): MemberRecord {
  const name = readName(r);
  const address = readAddress(r);
  const incarnation = r.u32('incarnation');
  const state = readState(r);
  return { name, address, incarnation, state, meta: readMeta(r) };
}

interface Codec<M extends Message> {
  readonly code: MessageTypeCode;
  encode(w: Writer, m: M): void;
  decode(r: Reader): M;
}

/** One codec per message type (tables over switches). */
const codecs: { readonly [K in Message['type']]: Codec<Extract<Message, { type: K }>> } = {
  ping: {
    code: MessageType.Ping,
    encode: (w, m) => { w.u32(m.seqNo); writeName(w, m.target); },
    decode: (r) => ({ type: 'ping', seqNo: r.u32('seqNo'), target: readName(r) }),
  },
  indirectPing: {
    code: MessageType.IndirectPing,
    encode: (w, m) => {
      w.u32(m.seqNo).u8(m.nack ? 1 : 0);
      writeName(w, m.target);
      writeAddress(w, m.targetAddress);
    },
    decode: (r) => {
      const seqNo = r.u32('seqNo');
      const nack = (r.u8('flags') & 1) === 1;
      const target = readName(r);
      return { type: 'indirectPing', seqNo, nack, target, targetAddress: readAddress(r) };
    },
  },
  ack: {
    code: MessageType.Ack,
    encode: (w, m) => { w.u32(m.seqNo); },
    decode: (r) => ({ type: 'ack', seqNo: r.u32('seqNo') }),
  },
  nack: {
    code: MessageType.Nack,
    encode: (w, m) => { w.u32(m.seqNo); },
    decode: (r) => ({ type: 'nack', seqNo: r.u32('seqNo') }),
  },
  alive: {
    code: MessageType.Alive,
    encode: (w, m) => {
      w.u32(m.incarnation);
      writeName(w, m.name);
      writeAddress(w, m.address);
      writeMeta(w, m.meta);
    },
    decode: (r) => {
      const incarnation = r.u32('incarnation');
      const name = readName(r);
      const address = readAddress(r);
      return { type: 'alive', incarnation, name, address, meta: readMeta(r) };
    },
  },
  suspect: {
    code: MessageType.Suspect,
    encode: (w, m) => { w.u32(m.incarnation); writeName(w, m.name); writeName(w, m.from); },
    decode: (r) => ({ type: 'suspect', incarnation: r.u32('incarnation'), name: readName(r), from: readName(r) }),
  },
  dead: {
    code: MessageType.Dead,
    encode: (w, m) => { w.u32(m.incarnation); writeName(w, m.name); writeName(w, m.from); },
    decode: (r) => ({ type: 'dead', incarnation: r.u32('incarnation'), name: readName(r), from: readName(r) }),
  },
  pushPull: {
    code: MessageType.PushPull,
    encode: (w, m) => {
      if (m.members.length > maxPushPullMembers) throw new RangeError(`push-pull of ${m.members.length} members`);
      w.u8(m.join ? 1 : 0).u16(m.members.length);
      for (const member of m.members) writeRecord(w, member);
    },
    decode: (r) => {
      const join = (r.u8('flags') & 1) === 1;
      const at = r.offset;
      const count = r.u16('member count');
      if (count > maxPushPullMembers) throw new WireError(`push-pull of ${count} members`, at);
      const members: MemberRecord[] = [];
      for (let i = 0; i < count; i++) members.push(readRecord(r));
      return { type: 'pushPull', join, members };
    },
  },
};

const codecByCode = new Map<number, Codec<Message>>(
  Object.values(codecs).map((c) => [c.code, c as unknown as Codec<Message>]),
);

/** Appends one framed message (`type | length | body`) to `w`. */
export function writeMessage(w: Writer, m: Message): void {
  const codec = codecs[m.type] as unknown as Codec<Message>;
  w.u8(codec.code);
  const lengthAt = w.reserve(2);
  const start = w.length;
  codec.encode(w, m);
  const length = w.length - start;
  if (length > 0xffff) throw new RangeError(`${m.type} message of ${length} bytes`);
  w.patchU16(lengthAt, length);
}

/** One framed message as bytes (what the broadcast queue stores and counts against the packet budget). */
export function encodeMessage(m: Message): Uint8Array {
  const w = new Writer(64);
  writeMessage(w, m);
  return w.finish();
}

/** Reads one framed message; unknown types are skipped whole and reported as `unknown`. */
export function readMessage(r: Reader): DecodedMessage {
  const code = r.u8('message type');
  const body = r.sub(r.u16('message length'), 'message body');
  const codec = codecByCode.get(code);
  if (codec === undefined) return { type: 'unknown', code };
  const m = codec.decode(body);
  body.end(`${m.type} message`);
  return m;
}

export function decodeMessage(bytes: Uint8Array): DecodedMessage {
  const r = new Reader(bytes);
  const m = readMessage(r);
  r.end('message');
  return m;
}
