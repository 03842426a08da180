import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bfdDiag, bfdStates } from './constants.js';
import type { BfdControlPacket } from './control-packet.js';
import {
  detectionTimeUs, initialSession, jitteredDelayMs, step, transmitIntervalUs,
  type BfdAction, type BfdEvent, type BfdSession, type BfdSessionConfig,
} from './session.js';

const config: BfdSessionConfig = { localDiscriminator: 11, detectMult: 3, desiredMinTxUs: 100_000, requiredMinRxUs: 100_000, passive: false };

function remote(state: BfdControlPacket['state'], extra: Partial<BfdControlPacket> = {}): BfdEvent {
  return {
    type: 'received',
    packet: {
      diag: 0, state, poll: false, final: false, controlPlaneIndependent: false, demand: false, detectMult: 3,
      myDiscriminator: 99, yourDiscriminator: state === 'Down' ? 0 : 11, desiredMinTxUs: 1_000_000, requiredMinRxUs: 300_000,
      requiredMinEchoRxUs: 0, ...extra,
    },
  };
}

function run(s: BfdSession, ...events: BfdEvent[]): { session: BfdSession; actions: BfdAction[] } {
  const actions: BfdAction[] = [];
  for (const e of events) {
    const r = step(s, e);
    s = r.session;
    actions.push(...r.actions);
  }
  return { session: s, actions };
}

const sent = (actions: readonly BfdAction[]) => actions.flatMap((a) => (a.type === 'send' ? [a.packet] : []));

test('a new session is Down and sends slow packets of 1 s, jittered to 75-100%', () => {
  const s = initialSession(config);
  assert.equal(s.state, 'Down');
  assert.equal(transmitIntervalUs(s), 1_000_000);
  assert.deepEqual(step(s, { type: 'start' }).actions, [{ type: 'arm-tx', minMs: 750, maxMs: 1000 }]);
  const { actions } = step(s, { type: 'tx-timer' });
  assert.deepEqual(sent(actions).map((p) => [p.state, p.yourDiscriminator, p.desiredMinTxUs, p.requiredMinRxUs]), [['Down', 0, 1_000_000, 100_000]]);
  assert.equal(jitteredDelayMs({ minMs: 750, maxMs: 1000 }, 0.5), 875);
});

test('with a detect multiplier of 1 the jitter is 75-90%', () => {
  assert.deepEqual(step(initialSession({ ...config, detectMult: 1 }), { type: 'start' }).actions, [{ type: 'arm-tx', minMs: 750, maxMs: 900 }]);
});

test('the three-way handshake: Down -> Init on the remote Down, Init -> Up on the remote Up', () => {
  const { session, actions } = run(initialSession(config), remote('Down'), remote('Up'));
  assert.equal(session.state, 'Up');
  assert.deepEqual(actions.filter((a) => a.type === 'state-changed').map((a) => a.type === 'state-changed' && a.to), ['Init', 'Up']);
  assert.equal(session.remoteDiscriminator, 99);
});

test('Down goes straight to Up when the remote is already in Init', () => {
  assert.equal(run(initialSession(config), remote('Init')).session.state, 'Up');
});

test('going Up lowers the Desired Min TX to the profile\'s and starts a Poll Sequence that a Final ends', () => {
  let { session } = run(initialSession(config), remote('Init'));
  assert.equal(session.advertisedMinTxUs, 100_000);
  assert.equal(session.polling, true);
  assert.equal(sent(step(session, { type: 'tx-timer' }).actions)[0]?.poll, true);
  session = run(session, remote('Up', { final: true })).session;
  assert.equal(session.polling, false);
  assert.equal(sent(step(session, { type: 'tx-timer' }).actions)[0]?.poll, false);
});

test('a received Poll is answered at once with a Final', () => {
  const { actions } = run(initialSession(config), remote('Down', { poll: true }));
  const answer = sent(actions);
  assert.equal(answer.length, 1);
  assert.equal(answer[0]?.final, true);
  assert.equal(answer[0]?.poll, false);
  assert.equal(answer[0]?.state, 'Init');
});

test('the detection time is the remote multiplier times max(our required RX, their desired TX)', () => {
  const { session, actions } = run(initialSession(config), remote('Init', { detectMult: 5, desiredMinTxUs: 50_000 }));
  assert.equal(detectionTimeUs(session), 500_000);
  assert.deepEqual(actions.filter((a) => a.type === 'arm-detect'), [{ type: 'arm-detect', delayMs: 500 }]);
});

test('the transmit interval is max(our desired TX, their required RX)', () => {
  const { session } = run(initialSession(config), remote('Init', { requiredMinRxUs: 300_000 }));
  assert.equal(transmitIntervalUs(session), 300_000);
  assert.deepEqual(step(session, { type: 'tx-timer' }).actions.at(-1), { type: 'arm-tx', minMs: 225, maxMs: 300 });
});

test('an expired detection timer takes Up to Down with diag 1 and forgets the remote', () => {
  const up = run(initialSession(config), remote('Init')).session;
  const { session, actions } = step(up, { type: 'detect-timer' });
  assert.equal(session.state, 'Down');
  assert.equal(session.localDiag, bfdDiag.controlDetectionTimeExpired);
  assert.equal(session.remoteDiscriminator, 0);
  assert.equal(session.advertisedMinTxUs, 1_000_000);
  assert.deepEqual(actions, [{ type: 'state-changed', from: 'Up', to: 'Down', diag: 1 }]);
});

test('the remote going Down or AdminDown takes Up to Down with diag 3', () => {
  for (const state of ['Down', 'AdminDown'] as const) {
    const { session } = run(initialSession(config), remote('Init'), remote(state));
    assert.equal(session.state, 'Down', state);
    assert.equal(session.localDiag, bfdDiag.neighborSignaledSessionDown);
  }
});

test('a passive session sends nothing until it has heard from the remote', () => {
  const passive = initialSession({ ...config, passive: true });
  assert.deepEqual(sent(step(passive, { type: 'tx-timer' }).actions), []);
  const { session, actions } = run(passive, remote('Down'));
  assert.equal(sent(actions)[0]?.state, 'Init');
  assert.equal(sent(step(session, { type: 'tx-timer' }).actions).length, 1);
});

test('admin-down sends one AdminDown packet with diag 7, cancels the timers and ignores what follows', () => {
  const up = run(initialSession(config), remote('Init')).session;
  const { session, actions } = step(up, { type: 'admin-down' });
  assert.deepEqual(sent(actions).map((p) => [p.state, p.diag]), [['AdminDown', 7]]);
  assert.ok(actions.some((a) => a.type === 'cancel-timers'));
  assert.equal(run(session, remote('Up'), { type: 'tx-timer' }, { type: 'detect-timer' }).actions.length, 0);
});

test('any sequence of events keeps the session consistent', () => {
  const event: fc.Arbitrary<BfdEvent> = fc.oneof(
    fc.constant<BfdEvent>({ type: 'tx-timer' }),
    fc.constant<BfdEvent>({ type: 'detect-timer' }),
    fc.record({ state: fc.constantFrom(...bfdStates), poll: fc.boolean(), final: fc.boolean() })
      .map((r) => remote(r.state, { poll: r.poll, final: r.final && !r.poll })),
  );
  fc.assert(fc.property(fc.array(event, { maxLength: 40 }), (events) => {
    let s = initialSession(config);
    for (const e of events) {
      const r = step(s, e);
      for (const p of sent(r.actions)) {
        assert.ok(!(p.poll && p.final), 'never P and F together');
        assert.equal(p.state, r.session.state);
        assert.equal(p.desiredMinTxUs, r.session.state === 'Up' ? 100_000 : 1_000_000, 'slow TX unless Up');
      }
      if (r.session.state === 'Up') assert.ok(r.session.remoteDiscriminator !== 0);
      s = r.session;
    }
  }), { numRuns: 500 });
});

test('going Up re-arms the transmit timer for the shorter interval at once', () => {
  const { actions } = run(initialSession(config), remote('Down'), remote('Up', { desiredMinTxUs: 100_000, requiredMinRxUs: 100_000 }));
  assert.deepEqual(actions.at(-1), { type: 'arm-tx', minMs: 75, maxMs: 100 });
});
