/**
 * §2.9 #13: BFD echo mode cannot run for IPv6, so a pool with IPv6 addresses must not be advertised to a peer
 * whose BFD profile has echoMode (FRR refuses it).
 */
import type { ParsedBgpAdvertisement } from './bgp-advertisements.js';
import type { ProblemList } from './problems.js';
import type { BfdProfile, Peer } from './types.js';

export function checkBfdEchoIpv6(
  ads: readonly ParsedBgpAdvertisement[],
  peers: ReadonlyMap<string, Peer>,
  profiles: ReadonlyMap<string, BfdProfile>,
  problems: ProblemList,
): void {
  const echo = (peer: Peer | undefined): boolean =>
    peer?.bfdProfile !== undefined && profiles.get(peer.bfdProfile)?.echoMode === true;
  for (const ad of ads) {
    const v6Pools = ad.pools.filter((p) => p.families.has('IPv6'));
    if (v6Pools.length === 0) continue;
    const targets = ad.ad.peers.length === 0 ? [...peers.values()] : ad.ad.peers.map((n) => peers.get(n));
    for (const peer of targets) {
      if (peer === undefined || !echo(peer)) continue;
      problems.add('bfd-echo-ipv6', ad.ref, ad.ad.peers.length === 0 ? 'spec' : 'spec.peers',
        `pool "${v6Pools[0]?.pool.name ?? ''}" has IPv6 addresses and goes to BGPPeer "${peer.name}", whose BFD profile ` +
        `"${peer.bfdProfile ?? ''}" has echo mode, which IPv6 does not support`);
    }
  }
}
