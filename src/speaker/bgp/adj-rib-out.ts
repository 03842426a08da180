/**
 * Adj-RIB-Out of one session (RFC 4271 §3.2): the desired set, what the peer already holds, and the minimal
 * UPDATEs between the two. Prefixes with the same attributes share UPDATEs; withdrawals are batched; nothing the
 * peer holds is sent again; after a reconnect (`reset`) everything is sent again. MetalLB's native `Session.Set`
 * diff (new vs advertised) is the model.
 *
 * Built for 100,000 prefixes: an entry is "held by the peer" when its `sentEpoch` equals the session epoch, so a
 * reconnect is O(1) and a flush writes no map; prefixes that leave the desired set while held go to a withdraw
 * list at `setDesired` time.
 */
import type { Cidr, IpFamily } from '../../lib/ip.js';
import { packAnnouncements, packWithdrawals, type NextHops } from '../../protocol/bgp/update-packer.js';
import { advertisementKey, attributeKey, type Advertisement, type AdvertisementKey } from './advertisement.js';

interface Entry {
  readonly adv: Advertisement;
  readonly attrKey: string;
  /** The epoch in which the peer got this entry; 0 = never. */
  sentEpoch: number;
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
  private desired = new Map<AdvertisementKey, Entry>();
  /** Bumped on reset: entries of older epochs are not held by the peer. */
  private epoch = 1;
  private held = 0;
  /** Entries the peer holds that are no longer desired (to withdraw, unless they come back first). */
  private withdrawals = new Map<AdvertisementKey, Entry>();

  /** Replaces the desired set. Entries whose attributes did not change keep their state. */
  setDesired(advertisements: Iterable<Advertisement>): void {
    const next = new Map<AdvertisementKey, Entry>();
    for (const adv of advertisements) {
      const key = advertisementKey(adv);
      if (next.has(key)) continue; // callers merge duplicates (advertisements.ts); here the first one wins
      const attrKey = attributeKey(adv);
      const current = this.desired.get(key);
      const leaving = current === undefined ? this.withdrawals.get(key) : undefined;
      if (leaving !== undefined) this.withdrawals.delete(key);
      const old = current ?? leaving;
      if (old !== undefined && old.attrKey === attrKey) {
        // Unchanged, or back before its withdrawal went out: the peer still holds it.
        next.set(key, old);
        if (leaving !== undefined) this.held++;
      } else {
        // New, or changed: announced (an implicit replace), so not held until then.
        if (current !== undefined && current.sentEpoch === this.epoch) this.held--;
        next.set(key, { adv, attrKey, sentEpoch: 0 });
      }
    }
    for (const [key, e] of this.desired) {
      if (!next.has(key) && e.sentEpoch === this.epoch) {
        this.withdrawals.set(key, e);
        this.held--;
      }
    }
    this.desired = next;
  }

  /** The session went down: the peer holds nothing of ours any more. */
  reset(): void {
    this.epoch++;
    this.held = 0;
    this.withdrawals.clear();
  }

  /** Forget what the peer holds for one family so the next flush re-sends it (ROUTE-REFRESH, RFC 2918 §4). */
  resend(family: IpFamily): void {
    for (const e of this.desired.values()) {
      if (e.adv.prefix.family === family && e.sentEpoch === this.epoch) { e.sentEpoch = 0; this.held--; }
    }
  }

  get desiredCount(): number {
    return this.desired.size;
  }

  /** Prefixes the peer holds (with their current attributes). */
  get announcedCount(): number {
    return this.held;
  }

  /** Desired prefixes the peer does not hold yet with their current attributes. */
  pendingCount(): number {
    return this.desired.size - this.held;
  }

  /** The UPDATEs that bring the peer to the desired set for `families`; marks them as held. */
  flush(families: ReadonlySet<IpFamily>, encodeGroup: EncodeGroup): FlushResult {
    const messages: Uint8Array[] = [];
    const withdraw: Record<IpFamily, Cidr[]> = { IPv4: [], IPv6: [] };
    for (const e of this.withdrawals.values()) withdraw[e.adv.prefix.family].push(e.adv.prefix);
    this.withdrawals.clear();
    for (const family of ['IPv4', 'IPv6'] as const) if (withdraw[family].length > 0) messages.push(...packWithdrawals(family, withdraw[family]));
    const groups: Record<IpFamily, Map<string, Entry[]>> = { IPv4: new Map(), IPv6: new Map() };
    for (const e of this.desired.values()) {
      if (e.sentEpoch === this.epoch) continue;
      const family = e.adv.prefix.family;
      if (!families.has(family)) continue;
      const group = groups[family].get(e.attrKey);
      if (group === undefined) groups[family].set(e.attrKey, [e]);
      else group.push(e);
    }
    let announced = 0;
    for (const family of ['IPv4', 'IPv6'] as const) {
      for (const group of groups[family].values()) {
        const encoding = encodeGroup(family, (group[0] as Entry).adv);
        if (encoding === undefined) continue;
        messages.push(...packAnnouncements(family, encoding.attributes, group.map((e) => e.adv.prefix), encoding.hops));
        for (const e of group) e.sentEpoch = this.epoch;
        announced += group.length;
      }
    }
    this.held += announced;
    return { messages, announced, withdrawn: withdraw.IPv4.length + withdraw.IPv6.length };
  }
}
