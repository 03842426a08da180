/** fast-check arbitraries for BGP messages in our model (values that encode and decode back unchanged). */
import fc from 'fast-check';
import type { Cidr, IpAddress } from '../../src/lib/ip.js';
import type { AsPathSegment } from '../../src/protocol/bgp/as-path.js';
import type { Capability } from '../../src/protocol/bgp/capabilities.js';
import type { MutablePathAttributes, PathAttributes } from '../../src/protocol/bgp/attributes.js';
import type { Open } from '../../src/protocol/bgp/open.js';
import type { Update } from '../../src/protocol/bgp/update.js';
import type { OriginCode } from '../../src/protocol/bgp/constants.js';

/** Records with a normal prototype, so they deep-equal decoded objects. */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as unknown as fc.Arbitrary<T>;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });

export const ipv4Address: fc.Arbitrary<IpAddress> = u32.map((v) => ({ family: 'IPv4', value: BigInt(v) }));
export const ipv6Address: fc.Arbitrary<IpAddress> = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value) => ({ family: 'IPv6', value }));

function cidr(family: 'IPv4' | 'IPv6'): fc.Arbitrary<Cidr> {
  const bits = family === 'IPv4' ? 32 : 128;
  return fc.tuple(family === 'IPv4' ? ipv4Address : ipv6Address, fc.integer({ min: 0, max: bits })).map(([ip, len]) => {
    const host = BigInt(bits - len);
    return { family, base: (ip.value >> host) << host, prefixLength: len };
  });
}
export const ipv4Prefix = cidr('IPv4');
export const ipv6Prefix = cidr('IPv6');

const segment: fc.Arbitrary<AsPathSegment> = rec({
  kind: fc.constantFrom('set', 'sequence', 'confedSequence', 'confedSet'),
  asns: fc.array(u32, { minLength: 1, maxLength: 20 }),
});

function attributes(as4: boolean): fc.Arbitrary<PathAttributes> {
  const asn = as4 ? u32 : u16;
  const seg2 = segment.map((s) => ({ ...s, asns: s.asns.map((a) => (as4 ? a : a & 0xffff)) }));
  return rec({
    origin: fc.option(fc.constantFrom<OriginCode>(0, 1, 2), { nil: undefined }),
    asPath: fc.option(fc.array(seg2, { maxLength: 3 }), { nil: undefined }),
    nextHop: fc.option(ipv4Address, { nil: undefined }),
    multiExitDisc: fc.option(u32, { nil: undefined }),
    localPref: fc.option(u32, { nil: undefined }),
    atomicAggregate: fc.option(fc.constant(true as const), { nil: undefined }),
    aggregator: fc.option(rec({ asn, address: ipv4Address }), { nil: undefined }),
    communities: fc.option(fc.array(u32, { minLength: 1, maxLength: 8 }), { nil: undefined }),
    largeCommunities: fc.option(fc.array(rec({ globalAdmin: u32, localData1: u32, localData2: u32 }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    as4Path: fc.option(fc.array(segment, { maxLength: 2 }), { nil: undefined }),
    mpReach: fc.option(fc.oneof(
      rec({ afi: fc.constant(2), safi: fc.constant(1), nextHop: ipv6Address, nlri: fc.array(ipv6Prefix, { maxLength: 5 }) }),
      rec({ afi: fc.constant(2), safi: fc.constant(1), nextHop: ipv6Address, linkLocalNextHop: ipv6Address, nlri: fc.array(ipv6Prefix, { maxLength: 5 }) }),
      rec({ afi: fc.constant(1), safi: fc.constant(1), nextHop: ipv4Address, nlri: fc.array(ipv4Prefix, { maxLength: 5 }) }),
    ), { nil: undefined }),
    mpUnreach: fc.option(rec({ afi: fc.constant(2), safi: fc.constant(1), withdrawn: fc.array(ipv6Prefix, { maxLength: 5 }) }), { nil: undefined }),
    unknown: fc.option(fc.uniqueArray(rec({
      flags: fc.constantFrom(0xc0, 0xe0, 0x80),
      type: fc.integer({ min: 100, max: 255 }),
      value: fc.uint8Array({ maxLength: 12 }),
    }), { selector: (u) => u.type, minLength: 1, maxLength: 2 }).map((us) => [...us].sort((a, b) => a.type - b.type)), { nil: undefined }),
  }).map((r) => {
    const out: MutablePathAttributes = {};
    for (const [k, v] of Object.entries(r)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    return out;
  });
}

export function updateArbitrary(as4: boolean): fc.Arbitrary<Update> {
  return rec({
    withdrawn: fc.array(ipv4Prefix, { maxLength: 6 }),
    attributes: attributes(as4),
    nlri: fc.array(ipv4Prefix, { maxLength: 6 }),
  }).map((r) => ({ type: 'update' as const, ...r }));
}

const capability: fc.Arbitrary<Capability> = fc.oneof(
  rec({ kind: fc.constant('multiprotocol' as const), afi: u16, safi: fc.integer({ min: 0, max: 255 }) }),
  fc.constant({ kind: 'routeRefresh' as const }),
  rec({ kind: fc.constant('fourOctetAs' as const), asn: u32 }),
  rec({
    kind: fc.constant('gracefulRestart' as const), restartState: fc.boolean(), notification: fc.boolean(),
    restartTimeSec: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(rec({ afi: u16, safi: fc.integer({ min: 0, max: 255 }), forwardingState: fc.boolean() }), { maxLength: 3 }),
  }),
  rec({ kind: fc.constant('unknown' as const), code: fc.integer({ min: 128, max: 255 }), value: fc.uint8Array({ maxLength: 8 }) }),
);

export const openArbitrary: fc.Arbitrary<Open> = rec({
  myAsn: u16,
  holdTimeSec: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  bgpIdentifier: fc.integer({ min: 1, max: 0xffffffff }),
  capabilityGroups: fc.array(fc.array(capability, { maxLength: 4 }), { maxLength: 3 }),
}).map((r) => ({ type: 'open' as const, version: 4, ...r }));
