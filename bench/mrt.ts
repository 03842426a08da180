/**
 * An MRT TABLE_DUMP_V2 file (RFC 6396 §4.3) with one peer and one RIB entry per prefix, for loading gobgpd's
 * RIB with `gobgp mrt inject global FILE`: PEER_INDEX_TABLE with a single peer of AS 0 (so the routes count as
 * locally originated), then RIB_IPV4_UNICAST records with ORIGIN IGP, an empty AS_PATH and NEXT_HOP 0.0.0.0.
 *
 *   MRT header: Timestamp(4) Type(2) Subtype(2) Length(4)
 *   PEER_INDEX_TABLE: Collector BGP ID(4) View Name Length(2) View Name Peer Count(2) Peer Entries
 *     Peer Entry: Peer Type(1) Peer BGP ID(4) Peer IP(4|16) Peer AS(2|4)
 *   RIB_IPV4_UNICAST: Sequence(4) Prefix Length(1) Prefix Entry Count(2) RIB Entries
 *     RIB Entry: Peer Index(2) Originated Time(4) Attribute Length(2) Attributes (AS_PATH with 4-byte ASNs)
 */
import { Writer } from '../src/protocol/wire/writer.js';
import type { Cidr } from '../src/lib/ip.js';
import { encodePrefix } from '../src/protocol/bgp/prefix.js';

const mrtTableDumpV2 = 13;
const subtypePeerIndexTable = 1;
const subtypeRibIpv4Unicast = 2;

function record(out: Uint8Array[], subtype: number, body: Uint8Array, timestamp: number): void {
  const w = new Writer(12 + body.length);
  w.u32(timestamp).u16(mrtTableDumpV2).u16(subtype).u32(body.length).bytes(body);
  out.push(w.finish());
}

/** ORIGIN IGP, empty AS_PATH, NEXT_HOP 0.0.0.0 (gobgpd puts its own address on eBGP). */
const attributes = Uint8Array.of(0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 3, 4, 0, 0, 0, 0);

/**
 * The file for `prefixes`, plus `padding` more records that re-announce the first prefix: gobgp 3.10's
 * `mrt inject` drops the last ~500 streamed paths, so only padding may be lost.
 */
export function mrtTableDump(prefixes: readonly Cidr[], padding: number, timestamp = Math.floor(Date.now() / 1000)): Buffer {
  const out: Uint8Array[] = [];
  const peers = new Writer(32);
  peers.u32(0x0a64000b).u16(0).u16(1).u8(0x02).u32(0x0a64000b).bytes(Uint8Array.of(10, 100, 0, 11)).u32(0);
  record(out, subtypePeerIndexTable, peers.finish(), timestamp);
  const all = [...prefixes, ...Array.from({ length: padding }, () => prefixes[0] as Cidr)];
  all.forEach((p, seq) => {
    const nlri = encodePrefix(p);
    const w = new Writer(32);
    w.u32(seq).bytes(nlri).u16(1).u16(0).u32(timestamp).u16(attributes.length).bytes(attributes);
    record(out, subtypeRibIpv4Unicast, w.finish(), timestamp);
  });
  return Buffer.concat(out);
}
