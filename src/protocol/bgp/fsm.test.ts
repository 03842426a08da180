import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BgpFramer, type Frame } from './framer.js';
import { encodeMessage, type BgpMessage } from './message.js';
import { buildOpen, type LocalSpeaker } from './negotiate.js';
import { initialState, step } from './fsm.js';
import type { FsmAction, FsmConfig, FsmEvent, SessionState } from './fsm-types.js';
import { parseCidr, parseIp } from '../../lib/ip.js';

const local: LocalSpeaker = { localAsn: 64512, bgpIdentifier: 0x0a64000b, holdTimeSec: 9, families: ['IPv4'] };
const config: FsmConfig = {
  local, expect: { localAsn: 64512, localBgpIdentifier: local.bgpIdentifier, peerAsn: 64500 }, passive: false,
  connectRetryTimeSec: 2, openHoldTimeSec: 240, idleHoldInitialMs: 1000, idleHoldMaxMs: 120_000,
};

function frame(m: BgpMessage): Frame {
  return new BgpFramer().push(encodeMessage(m, { as4: true })).frames[0]!;
}

const peerOpen = (id: number, extra: Partial<LocalSpeaker> = {}) =>
  buildOpen({ localAsn: 64500, bgpIdentifier: id, holdTimeSec: 30, families: ['IPv4', 'IPv6'], ...extra });

class Run {
  state: SessionState;
  actions: FsmAction[] = [];
  reasons: string[] = [];

  constructor(cfg: FsmConfig = config) {
    this.state = initialState(cfg);
  }

  feed(...events: FsmEvent[]): FsmAction[] {
    const out: FsmAction[] = [];
    for (const e of events) {
      const r = step(this.state, e);
      this.state = r.state;
      out.push(...r.actions);
      this.reasons.push(r.reason.code);
    }
    this.actions.push(...out);
    return out;
  }

  timer(name: string, connection?: number): Extract<FsmAction, { type: 'armTimer' }> {
    const armed = this.actions.filter((a): a is Extract<FsmAction, { type: 'armTimer' }> => a.type === 'armTimer' && a.timer === name && a.connection === connection);
    assert.ok(armed.length > 0, `no ${name} timer armed`);
    return armed[armed.length - 1]!;
  }

  /** Brings connection 1 (outgoing) to Established. */
  establish(open = peerOpen(0x0a640001)): void {
    this.feed({ type: 'start' }, { type: 'connected', connection: 1 }, { type: 'received', connection: 1, frame: frame(open) },
      { type: 'received', connection: 1, frame: frame({ type: 'keepalive' }) });
    assert.equal(this.state.name, 'Established');
  }
}

const sent = (actions: readonly FsmAction[]) => actions.flatMap((a) => (a.type === 'send' ? [a.message] : []));
const notifications = (actions: readonly FsmAction[]) =>
  sent(actions).flatMap((m) => (m.type === 'notification' ? [`${m.code}/${m.subcode}`] : []));

test('start connects out and arms the connect retry timer; the connection sends our OPEN', () => {
  const r = new Run();
  const a = r.feed({ type: 'start' });
  assert.deepEqual(a.map((x) => x.type), ['connect', 'armTimer']);
  assert.equal(r.state.name, 'Connect');
  const b = r.feed({ type: 'connected', connection: 1 });
  assert.deepEqual(sent(b).map((m) => m.type), ['open']);
  assert.equal(r.state.name, 'OpenSent');
  assert.equal(r.timer('hold', 1).ms, 240_000);
});

test('OPEN then KEEPALIVE establishes with the smaller hold time and keepalive a third of it', () => {
  const r = new Run();
  r.establish();
  const est = r.actions.find((a) => a.type === 'established');
  assert.ok(est !== undefined && est.type === 'established');
  assert.equal(est.negotiated.holdTimeSec, 9);
  assert.equal(est.negotiated.keepaliveTimeSec, 3);
  assert.deepEqual([...est.negotiated.families], ['IPv4']);
  assert.equal(r.timer('keepalive', 1).ms, 3000);
  assert.deepEqual(r.reasons.slice(-1), ['keepaliveReceived']);
});

test('a stale hold timer expiry is ignored; the current one sends Hold Timer Expired and goes Idle', () => {
  const r = new Run();
  r.establish();
  const hold = r.timer('hold', 1);
  assert.deepEqual(r.feed({ type: 'timerExpired', timer: 'hold', connection: 1, generation: hold.generation - 1 }), []);
  const a = r.feed({ type: 'timerExpired', timer: 'hold', connection: 1, generation: hold.generation });
  assert.deepEqual(notifications(a), ['4/0']);
  assert.ok(a.some((x) => x.type === 'sessionDown' && !x.graceful));
  assert.equal(r.state.name, 'Idle');
  assert.equal(r.timer('idleHold').ms, 1000);
});

test('a keepalive timer sends a KEEPALIVE and re-arms itself', () => {
  const r = new Run();
  r.establish();
  const k = r.timer('keepalive', 1);
  const a = r.feed({ type: 'timerExpired', timer: 'keepalive', connection: 1, generation: k.generation });
  assert.deepEqual(sent(a), [{ type: 'keepalive' }]);
  assert.ok(r.timer('keepalive', 1).generation > k.generation);
});

test('a peer with the wrong AS gets Bad Peer AS, and the session retries after the idle hold backoff', () => {
  const r = new Run();
  r.feed({ type: 'start' }, { type: 'connected', connection: 1 });
  const a = r.feed({ type: 'received', connection: 1, frame: frame(buildOpen({ ...local, localAsn: 64999, bgpIdentifier: 5 })) });
  assert.deepEqual(notifications(a), ['2/2']);
  assert.equal(r.state.name, 'Idle');
  const idle = r.timer('idleHold');
  const b = r.feed({ type: 'timerExpired', timer: 'idleHold', generation: idle.generation });
  assert.deepEqual(b.filter((x) => x.type === 'connect'), [{ type: 'connect', connection: 2 }]);
  r.feed({ type: 'connected', connection: 2 }, { type: 'closed', connection: 2 });
  assert.equal(r.timer('idleHold').ms, 2000, 'the backoff doubles after a second failure');
});

test('an UPDATE in OpenConfirm is an FSM error with subcode 2 (RFC 6608)', () => {
  const r = new Run();
  r.feed({ type: 'start' }, { type: 'connected', connection: 1 }, { type: 'received', connection: 1, frame: frame(peerOpen(7)) });
  const a = r.feed({ type: 'received', connection: 1, frame: frame({ type: 'update', withdrawn: [], attributes: {}, nlri: [] }) });
  assert.deepEqual(notifications(a), ['5/2']);
});

test('a KEEPALIVE in OpenSent is an FSM error with subcode 1', () => {
  const r = new Run();
  r.feed({ type: 'start' }, { type: 'connected', connection: 1 });
  assert.deepEqual(notifications(r.feed({ type: 'received', connection: 1, frame: frame({ type: 'keepalive' }) })), ['5/1']);
});

test('collision: a peer with the higher identifier keeps its own connection and ours is closed with Cease 7', () => {
  const r = new Run();
  r.feed({ type: 'start' }, { type: 'connected', connection: 1 });
  const acc = r.feed({ type: 'accepted' });
  assert.deepEqual(acc[0], { type: 'bindAccepted', connection: 2 });
  const a = r.feed({ type: 'received', connection: 2, frame: frame(peerOpen(0xffffff01)) });
  assert.deepEqual(notifications(a), ['6/7']);
  assert.ok(a.some((x) => x.type === 'close' && x.connection === 1));
  assert.deepEqual(r.state.connections.map((c) => [c.id, c.phase]), [[2, 'OpenConfirm']]);
});

test('collision: with our identifier higher, the peer\'s connection is closed as soon as an OPEN names the peer', () => {
  const r = new Run();
  r.feed({ type: 'start' }, { type: 'connected', connection: 1 }, { type: 'accepted' });
  const a = r.feed({ type: 'received', connection: 1, frame: frame(peerOpen(0x01000001)) });
  assert.deepEqual(notifications(a), ['6/7']);
  assert.ok(a.some((x) => x.type === 'close' && x.connection === 2));
  assert.deepEqual(r.state.connections.map((c) => [c.id, c.phase]), [[1, 'OpenConfirm']]);
});

test('a new connection colliding with an Established one is closed, unless the peer restarted with GR', () => {
  const r = new Run();
  r.establish();
  r.feed({ type: 'accepted' });
  assert.deepEqual(notifications(r.feed({ type: 'received', connection: 2, frame: frame(peerOpen(0x0a640001)) })), ['6/7']);
  assert.equal(r.state.name, 'Established');

  const gr = { gracefulRestart: { restartTimeSec: 120, restarting: false, forwardingState: true } };
  const g = new Run({ ...config, local: { ...local, ...gr } });
  g.establish(peerOpen(0x0a640001, gr));
  g.feed({ type: 'accepted' });
  const a = g.feed({ type: 'received', connection: 2, frame: frame(peerOpen(0x0a640001, { gracefulRestart: { ...gr.gracefulRestart, restarting: true } })) });
  assert.deepEqual(notifications(a), []);
  assert.ok(a.some((x) => x.type === 'sessionDown' && x.graceful));
  assert.deepEqual(g.state.connections.map((c) => [c.id, c.phase]), [[2, 'OpenConfirm']]);
});

test('stop sends Cease/Administrative Shutdown; a graceful stop closes without a NOTIFICATION', () => {
  const r = new Run();
  r.establish();
  assert.deepEqual(notifications(r.feed({ type: 'stop' })), ['6/2']);
  assert.equal(r.state.name, 'Idle');
  const g = new Run();
  g.establish();
  const a = g.feed({ type: 'stop', graceful: true });
  assert.deepEqual(notifications(a), []);
  assert.ok(a.some((x) => x.type === 'close'));
});

test('a passive session waits in Active and binds the peer\'s connection', () => {
  const r = new Run({ ...config, passive: true });
  assert.deepEqual(r.feed({ type: 'start' }), []);
  assert.equal(r.state.name, 'Active');
  r.feed({ type: 'accepted' });
  assert.equal(r.state.name, 'OpenSent');
});

test('the connect retry timer abandons a hanging connect and tries again', () => {
  const r = new Run();
  r.feed({ type: 'start' });
  const t = r.timer('connectRetry');
  const a = r.feed({ type: 'timerExpired', timer: 'connectRetry', generation: t.generation });
  assert.deepEqual(a.filter((x) => x.type === 'close' || x.type === 'connect'), [{ type: 'close', connection: 1 }, { type: 'connect', connection: 2 }]);
});

test('a failed connect goes Active and connects again when the retry timer fires', () => {
  const r = new Run();
  r.feed({ type: 'start' }, { type: 'connectFailed', connection: 1, error: 'ECONNREFUSED' });
  assert.equal(r.state.name, 'Active');
  const a = r.feed({ type: 'timerExpired', timer: 'connectRetry', generation: r.timer('connectRetry').generation });
  assert.ok(a.some((x) => x.type === 'connect'));
});

test('an UPDATE in Established is validated and handed over; a NOTIFICATION ends the session without GR', () => {
  const r = new Run();
  r.establish();
  const u = frame({ type: 'update', withdrawn: [], nlri: [parseCidr('10.1.0.0/16')!], attributes: { origin: 0, asPath: [{ kind: 'sequence', asns: [64500] }], nextHop: parseIp('10.100.0.1')! } });
  const a = r.feed({ type: 'received', connection: 1, frame: u });
  const got = a.find((x) => x.type === 'receivedUpdate');
  assert.ok(got !== undefined && got.type === 'receivedUpdate');
  assert.equal(got.update.announced.length, 1);
  const b = r.feed({ type: 'received', connection: 1, frame: frame({ type: 'notification', code: 6, subcode: 4, data: new Uint8Array(0) }) });
  assert.ok(b.some((x) => x.type === 'sessionDown' && !x.graceful));
  assert.deepEqual(notifications(b), []);
});

test('the R bit is set in OPENs until the first session after a restart is established', () => {
  const gr = { restartTimeSec: 120, restarting: false, forwardingState: true };
  let state = initialState({ ...config, local: { ...local, gracefulRestart: gr } }, { restarting: true });
  const opens: boolean[] = [];
  const feed = (e: FsmEvent) => {
    const r = step(state, e);
    state = r.state;
    for (const m of sent(r.actions)) if (m.type === 'open') opens.push(m.capabilityGroups.flat().some((c) => c.kind === 'gracefulRestart' && c.restartState));
  };
  for (const e of [{ type: 'start' }, { type: 'connected', connection: 1 }, { type: 'received', connection: 1, frame: frame(peerOpen(9)) },
    { type: 'received', connection: 1, frame: frame({ type: 'keepalive' }) }, { type: 'closed', connection: 1 }] as FsmEvent[]) feed(e);
  const idle = state.idleHoldTimer;
  feed({ type: 'timerExpired', timer: 'idleHold', generation: idle });
  feed({ type: 'connected', connection: 2 });
  assert.deepEqual(opens, [true, false]);
});
