/**
 * Just enough of the pcap format (tcpdump -w, LINKTYPE_ETHERNET) to pull TCP payloads out of a capture, one
 * byte stream per direction, ordered by sequence number, for cutting BGP messages out of real sessions.
 */
import { Reader } from '../src/protocol/wire/reader.js';
import { formatIp, ipFromBytes } from '../src/lib/ip.js';

export interface TcpSegment {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly payload: Uint8Array;
}

/** Pcap record headers are in the file's byte order; the magic tells which. */
export function tcpSegments(file: Uint8Array): TcpSegment[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const little = dv.getUint32(0, true) === 0xa1b2c3d4;
  if (!little && dv.getUint32(0, false) !== 0xa1b2c3d4) throw new Error('not a pcap file (microsecond magic)');
  if (dv.getUint32(20, little) !== 1) throw new Error('not an Ethernet capture');
  const out: TcpSegment[] = [];
  for (let at = 24; at + 16 <= file.length;) {
    const captured = dv.getUint32(at + 8, little);
    const frame = file.subarray(at + 16, at + 16 + captured);
    at += 16 + captured;
    const seg = parseFrame(frame);
    if (seg !== undefined) out.push(seg);
  }
  return out;
}

function parseFrame(frame: Uint8Array): TcpSegment | undefined {
  const r = new Reader(frame);
  r.skip(12);
  const ethertype = r.u16();
  let src: string;
  let dst: string;
  let tcp: Reader;
  if (ethertype === 0x0800) {
    const vihl = r.u8();
    const ihl = (vihl & 0x0f) * 4;
    r.u8();
    const total = r.u16();
    r.skip(5);
    if (r.u8() !== 6) return undefined;
    r.skip(2);
    src = formatIp(ipFromBytes(r.bytes(4).slice()));
    dst = formatIp(ipFromBytes(r.bytes(4).slice()));
    r.skip(ihl - 20);
    tcp = r.sub(total - ihl);
  } else if (ethertype === 0x86dd) {
    r.skip(4);
    const payloadLength = r.u16();
    if (r.u8() !== 6) return undefined;
    r.u8();
    src = formatIp(ipFromBytes(r.bytes(16).slice()));
    dst = formatIp(ipFromBytes(r.bytes(16).slice()));
    tcp = r.sub(payloadLength);
  } else {
    return undefined;
  }
  const srcPort = tcp.u16();
  const dstPort = tcp.u16();
  const seq = tcp.u32();
  tcp.u32();
  const offset = (tcp.u8() >> 4) * 4;
  tcp.skip(offset - 13);
  return { src, dst, srcPort, dstPort, seq, payload: tcp.rest().slice() };
}

/** The payload bytes sent from `src:srcPort` to `dst:dstPort`, in sequence order, retransmissions dropped. */
export function tcpStream(segments: readonly TcpSegment[], from: { ip: string; port: number }, to: { ip: string; port: number }): Uint8Array {
  const mine = segments.filter((s) => s.src === from.ip && s.srcPort === from.port && s.dst === to.ip && s.dstPort === to.port && s.payload.length > 0);
  const bySeq = new Map<number, Uint8Array>();
  for (const s of mine) if (!bySeq.has(s.seq)) bySeq.set(s.seq, s.payload);
  const first = mine[0]?.seq ?? 0;
  const ordered = [...bySeq.entries()].sort((a, b) => ((a[0] - first) >>> 0) - ((b[0] - first) >>> 0));
  return Buffer.concat(ordered.map(([, p]) => p));
}

/** Every direction of every TCP connection in the capture: `src:port>dst:port` -> its ordered stream. */
export function tcpStreams(segments: readonly TcpSegment[]): Map<string, { from: { ip: string; port: number }; to: { ip: string; port: number }; bytes: Uint8Array }> {
  const out = new Map<string, { from: { ip: string; port: number }; to: { ip: string; port: number }; bytes: Uint8Array }>();
  for (const s of segments) {
    const key = `${s.src}:${s.srcPort}>${s.dst}:${s.dstPort}`;
    if (out.has(key)) continue;
    const from = { ip: s.src, port: s.srcPort };
    const to = { ip: s.dst, port: s.dstPort };
    out.set(key, { from, to, bytes: tcpStream(segments, from, to) });
  }
  return out;
}
