/**
 * Every configuration rule, with a stable code. The code is what tests, docs/configuration.md and tools key
 * on; the message of each problem says what is wrong with the object at hand. `metallb` points at the rule in
 * metallb-behaviour.md §2.9 (or the CRD) that it reproduces; rules without it are metallb-ts's own.
 * Transient rules are references to objects that may simply not exist yet (the webhook ignores them).
 */
export interface RuleInfo {
  readonly severity: 'error' | 'warning';
  readonly transient?: true;
  readonly metallb?: string;
  readonly summary: string;
}

export const rules = {
  'schema': { severity: 'error', metallb: 'CRD schema', summary: 'the object does not match its CRD schema (types, enums, ranges, unknown fields, CEL rules)' },
  'object-kind': { severity: 'error', summary: 'a document is a Kubernetes object with apiVersion and kind, and a metallb.io kind is one MetalLB serves' },
  'object-namespace': { severity: 'error', metallb: '§2.10', summary: 'metallb.io objects live in the MetalLB namespace' },
  'object-name': { severity: 'error', metallb: '§2.9 #1, #28', summary: 'metadata.name is set and is a valid object name (DNS-1123 subdomain)' },
  'duplicate-name': { severity: 'error', metallb: '§2.9 duplicate pool and BFD profile definitions', summary: 'no two objects of one kind share a name' },

  'pool-addresses': { severity: 'error', metallb: '§2.9 #2', summary: 'a pool has at least one address entry' },
  'pool-address-syntax': { severity: 'error', metallb: '§2.9 #3', summary: 'each address entry is a CIDR or a start-end range of one family with start <= end' },
  'pool-cidr-overlap': { severity: 'error', metallb: '§2.9 #4', summary: 'no CIDR overlaps another, within a pool or across pools' },
  'pool-namespaces-duplicate': { severity: 'error', metallb: '§2.9 #5', summary: 'serviceAllocation.namespaces has no duplicates' },
  'selector-syntax': { severity: 'error', metallb: '§2.9 #6, #7, #23', summary: 'label selectors are valid: keys, values, operators, no duplicate values or expressions' },
  'selector-duplicate': { severity: 'error', metallb: '§2.9 #6, #7, #23', summary: 'a selector list has no two equal selectors' },

  'list-duplicate': { severity: 'error', metallb: '§2.9 #7', summary: 'ipAddressPools, communities and peers of an advertisement have no duplicates' },
  'aggregation-length-range': { severity: 'error', metallb: '§2.9 #8', summary: 'aggregationLength is 1-32 and aggregationLengthV6 is 0-128' },
  'aggregation-length-vs-pool': { severity: 'error', metallb: '§2.9 #9', summary: 'the aggregation length is at least the prefix length of each address entry of the pools the advertisement applies to, so the announced prefix stays inside the pool' },
  'aggregation-with-service-selectors': { severity: 'error', metallb: '§2.9 #10', summary: 'serviceSelectors only with the default aggregation lengths (32, 128)' },
  'local-pref-range': { severity: 'error', summary: 'localPref fits in 32 bits (0-4294967295)' },
  'local-pref-conflict': { severity: 'error', metallb: '§2.9 #11', summary: 'two advertisements of one pool without serviceSelectors have the same localPref unless their aggregation lengths differ, their peers are disjoint or their nodes are disjoint' },
  'community-syntax': { severity: 'error', metallb: '§2.9 #12, #14', summary: 'communities are A:B (16 bits each) or large:A:B:C (32 bits each)' },
  'community-unknown-alias': { severity: 'error', transient: true, metallb: '§2.9 #12', summary: 'a community that is not a literal names a Community alias' },
  'community-alias-duplicate': { severity: 'error', metallb: '§2.9 #15', summary: 'Community alias names are unique across all Community objects' },
  'bfd-echo-ipv6': { severity: 'error', metallb: '§2.9 #13', summary: 'a pool with IPv6 addresses is not advertised to a peer whose BFD profile has echo mode' },
  'preferred-weight-range': { severity: 'error', metallb: 'CRD', summary: 'preferredNodeSelectors weights are 1-100' },

  'peer-my-asn': { severity: 'error', metallb: '§2.9 #16', summary: 'myASN is set (not 0)' },
  'peer-asn-range': { severity: 'error', metallb: 'CRD', summary: 'AS numbers fit in 32 bits; localASN is not 0' },
  'peer-remote-asn': { severity: 'error', metallb: '§2.9 #17, #18', summary: 'exactly one of peerASN and dynamicASN (internal or external)' },
  'peer-ebgp-multihop-ibgp': { severity: 'error', metallb: '§2.9 #19', summary: 'ebgpMultiHop is not set on an iBGP peer (peerASN == myASN)' },
  'peer-address-or-interface': { severity: 'error', metallb: '§2.9 #20', summary: 'exactly one of peerAddress and interface' },
  'peer-address-syntax': { severity: 'error', metallb: '§2.9 #22', summary: 'peerAddress and sourceAddress are IP addresses' },
  'peer-router-id': { severity: 'error', metallb: '§2.9 #22', summary: 'routerID is an IPv4 address' },
  'peer-port-range': { severity: 'error', metallb: 'CRD', summary: 'peerPort is 1-16384' },
  'duration-syntax': { severity: 'error', summary: 'durations are Go durations such as 90s or 1m30s, not negative' },
  'peer-timers': { severity: 'error', metallb: '§2.9 #21', summary: 'the hold time is 0 or at least 3s and the keepalive time is at most the hold time' },
  'peer-connect-time': { severity: 'error', metallb: 'CRD CEL', summary: 'connectTime is a whole number of seconds from 1s to 65535s' },
  'peer-password-and-secret': { severity: 'error', metallb: '§2.9 #24', summary: 'not both password and passwordSecret' },
  'peer-secret-missing': { severity: 'error', transient: true, metallb: '§2.9 #25', summary: 'the passwordSecret exists in the MetalLB namespace' },
  'peer-secret-type': { severity: 'error', metallb: '§2.9 #25', summary: 'the passwordSecret is of type kubernetes.io/basic-auth' },
  'peer-secret-password-key': { severity: 'error', metallb: '§2.9 #25', summary: 'the passwordSecret has a password key' },
  'peer-bfd-profile-missing': { severity: 'error', transient: true, metallb: '§2.9 #26', summary: 'the bfdProfile exists' },
  'peer-router-id-conflict': { severity: 'error', metallb: '§2.9 FRR modes', summary: 'peers that share a node have the same routerID' },
  'peer-duplicate-session': { severity: 'error', metallb: '§2.9 #27, FRR modes', summary: 'peers that share a node differ in address or interface (per VRF)' },
  'peer-my-asn-conflict': { severity: 'error', metallb: '§2.9 FRR modes', summary: 'peers that share a node and a VRF have the same myASN' },

  'bfd-range': { severity: 'error', metallb: '§2.9 #28', summary: 'BFD intervals are 10-60000 ms, detectMultiplier 2-255, minimumTtl 1-254' },

  'unknown-pool-reference': { severity: 'warning', summary: 'an advertisement names a pool that does not exist (it applies to nothing for that name)' },
  'unknown-peer-reference': { severity: 'warning', summary: 'an advertisement names a peer that does not exist (nothing is sent for that name)' },
  'deprecated-disable-mp': { severity: 'warning', metallb: '§2.10', summary: 'disableMP is deprecated and has no effect' },
} as const satisfies Record<string, RuleInfo>;

export type RuleCode = keyof typeof rules;
