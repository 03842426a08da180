/**
 * Adj-RIB-Out of one session (RFC 4271 §3.2): the desired set, what the peer already holds, and the minimal
 * UPDATEs between the two. Prefixes with the same attributes share UPDATEs; withdrawals are batched; nothing the
 * peer holds is sent again; after a reconnect (`reset`) everything is sent again. MetalLB's native `Session.Set`
 * diff (new vs advertised) is the model.
 */
import type { IpFamily } from '../../lib/ip.js';
import { encodePrefix } from '../../protocol/bgp/prefix.js';
import { packAnnouncements, packWithdrawals, type NextHops } from '../../protocol/bgp/update-packer.js';
import { advertisementKey, attributeKey, type Advertisement } from './advertisement.js';

interface Entry {
  readonly key: string;
  readonly adv: Advertisement;
  readonly attrKey: string;
  readonly nlri: Uint8Array;
}

/** The encoded attributes of a group, or undefined when the group cannot be sent yet (no next hop). */
export interface GroupEncoding {
  readonly attributes: Uint8Array;
  readonly hops?: NextHops;
}

export type EncodeGroup = (family: IpFamily, sample: Advertisement) => GroupEncoding | undefined;

export interface FlushResult {
  readonly messages: Uint8Array[];
  readonly announced: number;
  readonly withdrawn: number;
}

export class AdjRibOut {
  private desired = new Map<string, Entry>();
  /** What the peer holds in this session: key -> the entry it got. */
  private readonly sent = new Map<string, Entry>();

  /** Replaces the desired set. Entries that did not change keep their encoding. */
  setDesired(advertisements: Iterable<Advertisement>): void {
    const next = new Map<string, Entry>();
    for (const adv of advertisements) {
      const key = advertisementKey(adv);
      const attrKey = attributeKey(adv);
      const old = this.desired.get(key);
      next.set(key, old !== undefined && old.attrKey === attrKey ? old : { key, adv, attrKey, nlri: encodePrefix(adv.prefix) });
    }
    this.desired = next;
  }

  /** The session went down: the peer holds nothing of ours any more. */
  reset(): void {
    this.sent.clear();
  }

  /** Forget what the peer holds for one family so the next flush re-sends it (ROUTE-REFRESH, RFC 2918 §4). */
  resend(family: IpFamily): void {
    for (const [key, e] of this.sent) if (e.adv.prefix.family === family) this.sent.delete(key);
  }

  get desiredCount(): number {
    return this.desired.size;
  }

  get announcedCount(): number {
    return this.sent.size;
  }

  /** Desired prefixes the peer does not hold yet with their current attributes. */
  pendingCount(): number {
    let n = 0;
    for (const [key, e] of this.desired) if (this.sent.get(key) !== e) n++;
    return n;
  }

  /** The UPDATEs that bring the peer to the desired set for `families`; marks them as sent. */
  flush(families: ReadonlySet<IpFamily>, encodeGroup: EncodeGroup): FlushResult {
    const messages: Uint8Array[] = [];
    const withdraw: Record<IpFamily, Uint8Array[]> = { IPv4: [], IPv6: [] };
    for (const [key, e] of this.sent) {
      if (!this.desired.has(key)) {
        withdraw[e.adv.prefix.family].push(e.nlri);
        this.sent.delete(key);
      }
    }
    let withdrawn = 0;
    for (const family of ['IPv4', 'IPv6'] as const) {
      if (withdraw[family].length === 0) continue;
      withdrawn += withdraw[family].length;
      messages.push(...packWithdrawals(family, withdraw[family]));
    }
    const groups = new Map<string, Entry[]>();
    for (const [key, e] of this.desired) {
      if (this.sent.get(key) === e || !families.has(e.adv.prefix.family)) continue;
      const groupKey = `${e.adv.prefix.family}/${e.attrKey}`;
      const group = groups.get(groupKey);
      if (group === undefined) groups.set(groupKey, [e]);
      else group.push(e);
    }
    let announced = 0;
    for (const group of groups.values()) {
      const sample = (group[0] as Entry).adv;
      const encoding = encodeGroup(sample.prefix.family, sample);
      if (encoding === undefined) continue;
      messages.push(...packAnnouncements(sample.prefix.family, encoding.attributes, group.map((e) => e.nlri), encoding.hops));
      for (const e of group) this.sent.set(e.key, e);
      announced += group.length;
    }
    return { messages, announced, withdrawn };
  }
}
