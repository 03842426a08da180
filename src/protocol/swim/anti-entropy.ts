/**
 * Push-pull anti-entropy (memberlist's `pushPull`; Demers et al., "Epidemic Algorithms for Replicated Database
 * Maintenance", 1987): now and then two members exchange their whole member tables over a stream, which
 * repairs whatever gossip missed, joins new members (a join is a push-pull with a seed) and heals partitions
 * (a periodic push-pull with a member we hold dead).
 *
 * A remote table is merged through the same handlers as gossip; a remote "dead" counts only as a suspicion,
 * so one confused member cannot kill another outright (memberlist's rule). Deviation: the answering side merges
 * before it replies, so a member that learns from the request that it was held dead refutes in the reply
 * itself, and a healing partition converges in one exchange.
 */
import type { StepContext } from './context.js';
import { count } from './context.js';
import { handleAlive, handleDead, handleSuspect } from './member-table.js';
import type { Address, MemberRecord } from './messages.js';
import { maxNameBytes, maxMetaBytes } from './messages.js';
import { PacketBuilder, decodePacketBody } from './packet.js';
import { pickRandom } from './random.js';
import type { SwimState } from './state.js';
import { livePeers } from './state.js';

/** Records per push-pull message: the worst-case record (~790 bytes) times this stays under 64 KiB. */
const recordsPerMessage = Math.floor(60_000 / (maxNameBytes + maxMetaBytes + 30));

function localRecords(s: SwimState): MemberRecord[] {
  return [...s.members.values()].map((m) => ({
    name: m.name, address: m.address, incarnation: m.incarnation, state: m.state, meta: m.meta,
  }));
}

/** Our whole table as one stream body: the sender, then push-pull messages of bounded size. */
export function encodeStateBody(s: SwimState, join: boolean): Uint8Array {
  const records = localRecords(s);
  const b = new PacketBuilder(s.self, Number.POSITIVE_INFINITY);
  for (let i = 0; i < records.length || i === 0; i += recordsPerMessage) {
    b.add({ type: 'pushPull', join, members: records.slice(i, i + recordsPerMessage) });
  }
  return b.finish();
}

export function startPushPull(ctx: StepContext, to: Address, join: boolean): void {
  const requestId = ctx.s.nextRequestId++;
  ctx.actions.push({ type: 'streamRequest', requestId, to, body: encodeStateBody(ctx.s, join), join });
  count(ctx, 'pushPullSent');
}

/** The periodic exchange with one random live member. */
export function pushPullWithRandomPeer(ctx: StepContext): void {
  const [peer] = pickRandom(livePeers(ctx.s), 1, ctx.s.random);
  if (peer !== undefined) startPushPull(ctx, peer.address, false);
}

/** The periodic attempt to reach one random member held dead (not left), so partitions heal. */
export function reconnectWithRandomDead(ctx: StepContext): void {
  const dead = [...ctx.s.members.values()].filter((m) => m.state === 'dead');
  const [peer] = pickRandom(dead, 1, ctx.s.random);
  if (peer !== undefined) startPushPull(ctx, peer.address, false);
}

function decodeRecords(ctx: StepContext, body: Uint8Array): { sender: string; records: MemberRecord[] } | undefined {
  try {
    const packet = decodePacketBody(body);
    const records: MemberRecord[] = [];
    for (const m of packet.messages) {
      if (m.type === 'pushPull') records.push(...m.members);
      else ctx.actions.push({ type: 'drop', reason: 'unexpectedMessage' });
    }
    return { sender: packet.sender, records };
  } catch {
    ctx.actions.push({ type: 'drop', reason: 'streamMalformed' });
    return undefined;
  }
}

function merge(ctx: StepContext, sender: string, records: readonly MemberRecord[], source: Address | undefined): void {
  for (const r of records) {
    switch (r.state) {
      case 'alive':
        handleAlive(ctx, { type: 'alive', incarnation: r.incarnation, name: r.name, address: r.address, meta: r.meta });
        break;
      case 'suspect':
      case 'dead':
        handleSuspect(ctx, { type: 'suspect', incarnation: r.incarnation, name: r.name, from: sender }, source);
        break;
      case 'left':
        handleDead(ctx, { type: 'dead', incarnation: r.incarnation, name: r.name, from: r.name }, source);
        break;
    }
  }
}

export function handleStreamRequest(ctx: StepContext, from: Address, streamId: number, body: Uint8Array): void {
  const decoded = decodeRecords(ctx, body);
  if (decoded === undefined) return;
  count(ctx, 'pushPullReceived');
  merge(ctx, decoded.sender, decoded.records, from);
  ctx.actions.push({ type: 'streamReply', streamId, body: encodeStateBody(ctx.s, false) });
}

export function handleStreamResponse(ctx: StepContext, body: Uint8Array): void {
  const decoded = decodeRecords(ctx, body);
  if (decoded === undefined) return;
  merge(ctx, decoded.sender, decoded.records, undefined);
}
