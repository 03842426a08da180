/**
 * Meaning checks against the session, after syntax (GoBGP's validate.go split): the peer's OPEN against our
 * configuration (RFC 4271 §6.2, RFC 6286, RFC 6793, RFC 7607), and a received UPDATE against the negotiated
 * session (RFC 4271 §6.3, RFC 7606 §3 and §7, RFC 4760 §7). The outcome of an UPDATE is the strongest problem.
 */
import { ipToBytes, type Cidr, type IpFamily } from '../../lib/ip.js';
import { BgpError, strongestProblem, type ErrorAction, type UpdateProblem } from './bgp-error.js';
import { AttrType, ErrorCode, OpenSubcode, UpdateSubcode } from './constants.js';
import { firstAs, mergeAs4Path } from './as-path.js';
import type { MutablePathAttributes, PathAttributes } from './attributes.js';
import { capabilitiesOf, type Open } from './open.js';
import { endOfRibFamily, type Update } from './update.js';
import { familyOf } from './mp-nlri.js';

export interface OpenExpectations {
  readonly localAsn: number;
  readonly localBgpIdentifier: number;
  /** The configured peer AS, or which kind of AS to accept (BGPPeer `dynamicASN`). */
  readonly peerAsn: number | 'internal' | 'external';
}

/** The peer's real AS: the 4-octet AS capability when present (RFC 6793 §4.1), else the 2-octet field. */
export function peerAsnOf(open: Open): number {
  for (const c of capabilitiesOf(open)) if (c.kind === 'fourOctetAs') return c.asn;
  return open.myAsn;
}

/** Checks the peer's OPEN; returns its AS. Throws BgpError with the RFC 4271 §6.2 subcode. */
export function validateOpen(open: Open, expect: OpenExpectations): number {
  const asn = peerAsnOf(open);
  const badAs = (why: string): BgpError =>
    new BgpError(ErrorCode.OpenMessage, OpenSubcode.BadPeerAs, why, { data: Uint8Array.of(open.myAsn >>> 8, open.myAsn & 0xff) });
  // RFC 7607 §2: AS 0 is never a valid peer AS.
  if (asn === 0) throw badAs('peer AS 0');
  if (typeof expect.peerAsn === 'number' && asn !== expect.peerAsn) throw badAs(`peer AS ${asn}, expected ${expect.peerAsn}`);
  if (expect.peerAsn === 'internal' && asn !== expect.localAsn) throw badAs(`peer AS ${asn} is not internal (${expect.localAsn})`);
  if (expect.peerAsn === 'external' && asn === expect.localAsn) throw badAs(`peer AS ${asn} is not external`);
  // RFC 6286 §2.2: between internal peers the identifiers must differ.
  if (asn === expect.localAsn && open.bgpIdentifier === expect.localBgpIdentifier) {
    throw new BgpError(ErrorCode.OpenMessage, OpenSubcode.BadBgpIdentifier, 'peer uses our bgp identifier');
  }
  return asn;
}

export interface UpdateSession {
  readonly ebgp: boolean;
  readonly peerAsn: number;
  /** RFC 6793: false when the peer is an OLD speaker (AS4_PATH must then be merged). */
  readonly as4: boolean;
  readonly families: ReadonlySet<IpFamily>;
}

/** A received UPDATE after RFC 7606 handling: what to add, what to remove, and why. */
export interface ReceivedUpdate {
  readonly announced: readonly Cidr[];
  readonly withdrawn: readonly Cidr[];
  /** Attributes after attribute-discard, with AS4_PATH merged into AS_PATH for OLD peers. */
  readonly attributes: PathAttributes;
  readonly endOfRib?: IpFamily;
  /** Families to disable for the rest of the session (RFC 4760 §7). */
  readonly disabledFamilies: readonly IpFamily[];
  /** The strongest action taken, undefined when the UPDATE was clean. */
  readonly action?: ErrorAction;
  readonly problems: readonly UpdateProblem[];
}

function updateProblem(action: ErrorAction, subcode: number, message: string, data = new Uint8Array(0), extra: Partial<UpdateProblem> = {}): UpdateProblem {
  return { action, code: ErrorCode.UpdateMessage, subcode, data, message, ...extra };
}

function nextHopProblem(attrs: PathAttributes): UpdateProblem | undefined {
  const nh = attrs.nextHop;
  if (nh === undefined) return undefined;
  const first = Number(nh.value >> 24n);
  // RFC 4271 §6.3 / RFC 7606 §7.3: a semantically invalid NEXT_HOP (0.0.0.0, broadcast, class D/E) -> treat-as-withdraw.
  if (nh.value === 0n || first >= 224) {
    const data = Uint8Array.of(0x40, AttrType.NextHop, 4, ...ipToBytes(nh));
    return updateProblem('treatAsWithdraw', UpdateSubcode.InvalidNextHopAttribute, 'invalid NEXT_HOP', data, { attributeType: AttrType.NextHop });
  }
  return undefined;
}

function semanticProblems(u: Update, s: UpdateSession, hasNlri: boolean): UpdateProblem[] {
  const out: UpdateProblem[] = [];
  const a = u.attributes;
  if (hasNlri) {
    // RFC 7606 §3 (d): a missing well-known mandatory attribute -> treat-as-withdraw; data is the type code.
    const missing = [[AttrType.Origin, a.origin], [AttrType.AsPath, a.asPath]] as const;
    for (const [type, value] of missing) {
      if (value === undefined) out.push(updateProblem('treatAsWithdraw', UpdateSubcode.MissingWellKnownAttribute, `missing attribute ${type}`, Uint8Array.of(type)));
    }
    // RFC 4760 §3: NEXT_HOP is mandatory only with NLRI in the NLRI field.
    if (u.nlri.length > 0 && a.nextHop === undefined) {
      out.push(updateProblem('treatAsWithdraw', UpdateSubcode.MissingWellKnownAttribute, 'missing NEXT_HOP', Uint8Array.of(AttrType.NextHop)));
    }
  }
  if (u.nlri.length > 0) {
    const p = nextHopProblem(a);
    if (p !== undefined) out.push(p);
  }
  if (s.ebgp && a.asPath !== undefined) {
    // RFC 7606 §7.2: confederation segments from a non-confederation eBGP peer -> treat-as-withdraw.
    if (a.asPath.some((seg) => seg.kind === 'confedSequence' || seg.kind === 'confedSet')) {
      out.push(updateProblem('treatAsWithdraw', UpdateSubcode.MalformedAsPath, 'confederation segment from an external peer'));
    }
    // RFC 4271 §6.3: the leftmost AS of an eBGP path must be the peer's.
    const first = firstAs(a.asPath);
    if (hasNlri && first !== undefined && first !== s.peerAsn && !(first === 23456 && !s.as4)) {
      out.push(updateProblem('treatAsWithdraw', UpdateSubcode.MalformedAsPath, `first AS ${first} is not the peer's ${s.peerAsn}`));
    }
  }
  return out;
}

function familyProblems(u: Update, s: UpdateSession): { problems: UpdateProblem[]; disabled: IpFamily[] } {
  const problems: UpdateProblem[] = [];
  const disabled: IpFamily[] = [];
  const check = (family: IpFamily | undefined, afi: number, safi: number): void => {
    if (family !== undefined && s.families.has(family)) return;
    // RFC 4760 §7 spirit: routes of a family that was not negotiated are ignored (the family stays disabled).
    problems.push(updateProblem('afiSafiDisable', UpdateSubcode.OptionalAttributeError, `AFI ${afi} SAFI ${safi} not negotiated`, new Uint8Array(0), { afi, safi }));
    if (family !== undefined) disabled.push(family);
  };
  if (u.nlri.length > 0 || u.withdrawn.length > 0) check('IPv4', 1, 1);
  const reach = u.attributes.mpReach;
  if (reach !== undefined) check(familyOf(reach.afi, reach.safi), reach.afi, reach.safi);
  const unreach = u.attributes.mpUnreach;
  if (unreach !== undefined && (unreach.withdrawn.length > 0 || reach !== undefined)) check(familyOf(unreach.afi, unreach.safi), unreach.afi, unreach.safi);
  return { problems, disabled };
}

/** Applies RFC 7606 to a decoded UPDATE. Throws BgpError when the strongest problem is a session reset. */
export function validateUpdate(u: Update, decodeProblems: readonly UpdateProblem[], s: UpdateSession): ReceivedUpdate {
  const eor = endOfRibFamily(u);
  if (eor !== undefined && decodeProblems.length === 0) return { announced: [], withdrawn: [], attributes: {}, endOfRib: eor, disabledFamilies: [], problems: [] };
  const reach = u.attributes.mpReach;
  const hasNlri = u.nlri.length > 0 || (reach !== undefined && reach.nlri.length > 0);
  const fam = familyProblems(u, s);
  const attrs: MutablePathAttributes = { ...u.attributes };
  const problems = [...decodeProblems, ...semanticProblems(u, s, hasNlri), ...fam.problems];
  // RFC 7606 §7.5: LOCAL_PREF from an external peer is discarded.
  if (s.ebgp && attrs.localPref !== undefined) {
    delete attrs.localPref;
    problems.push(updateProblem('attributeDiscard', UpdateSubcode.AttributeLengthError, 'LOCAL_PREF from an external peer', new Uint8Array(0), { attributeType: AttrType.LocalPref }));
  }
  // RFC 6793 §4.2.3: an OLD speaker's true path is AS_PATH merged with AS4_PATH; a NEW speaker's AS4_PATH is ignored.
  if (attrs.as4Path !== undefined) {
    if (!s.as4 && attrs.asPath !== undefined) attrs.asPath = mergeAs4Path(attrs.asPath, attrs.as4Path);
    delete attrs.as4Path;
  }
  const strongest = strongestProblem(problems);
  if (strongest?.action === 'sessionReset') throw new BgpError(strongest.code, strongest.subcode, strongest.message, { data: strongest.data });
  const disabledSet = new Set(fam.disabled);
  const keep = (p: Cidr): boolean => !disabledSet.has(p.family);
  const announcedAll = [...u.nlri, ...(reach?.nlri ?? [])].filter(keep);
  const withdrawnAll = [...u.withdrawn, ...(u.attributes.mpUnreach?.withdrawn ?? [])].filter(keep);
  const withdrawAll = strongest?.action === 'treatAsWithdraw';
  const base = { attributes: attrs, disabledFamilies: fam.disabled, problems };
  const withAction = strongest === undefined ? base : { ...base, action: strongest.action };
  return withdrawAll
    ? { ...withAction, announced: [], withdrawn: [...withdrawnAll, ...announcedAll] }
    : { ...withAction, announced: announcedAll, withdrawn: withdrawnAll };
}
