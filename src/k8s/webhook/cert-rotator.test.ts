import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { FakeClock } from '../../lib/clock.js';
import { createLogger } from '../../lib/logger.js';
import { MetallbError } from '../../lib/errors.js';
import { type WebhookCertData, checkCertificates, defaultCertPolicy, splitPem } from './cert-plan.js';
import { type CaBundleTarget, type CertStore, CertRotator, conflictCode } from './cert-rotator.js';

const id = { serviceName: 'metallb-webhook-service', namespace: 'metallb-system' };
const dayMs = 24 * 60 * 60 * 1000;
const log = createLogger({ level: 'none' });

class MemoryStore implements CertStore {
  data: WebhookCertData | undefined;
  version = 0;
  writes = 0;
  /** Before the next write, as if another replica wrote first. */
  raceWith: WebhookCertData | undefined;

  async read() {
    return this.data === undefined ? undefined : { data: { ...this.data }, resourceVersion: String(this.version) };
  }

  async create(data: WebhookCertData) {
    this.interfere();
    if (this.data !== undefined) throw new MetallbError(conflictCode, 'exists');
    this.store(data);
  }

  async replace(data: WebhookCertData, resourceVersion: string) {
    this.interfere();
    if (resourceVersion !== String(this.version)) throw new MetallbError(conflictCode, 'conflict');
    this.store(data);
  }

  private interfere() {
    if (this.raceWith === undefined) return;
    this.store(this.raceWith);
    this.raceWith = undefined;
  }

  private store(data: WebhookCertData) {
    this.data = data;
    this.version++;
    this.writes++;
  }
}

interface Events {
  readonly log: string[];
}

function target(name: string, events: Events): CaBundleTarget & { bundle: string } {
  const t = {
    name, bundle: '',
    async ensure(pem: string) {
      if (t.bundle === pem) return false;
      t.bundle = pem;
      events.log.push(`bundle ${name}`);
      return true;
    },
  };
  return t;
}

function rotator(store: CertStore, clock: FakeClock, events: Events, targets: CaBundleTarget[]) {
  const served: WebhookCertData[] = [];
  const r = new CertRotator({
    store, targets, identity: id, clock, log,
    serve: async (certs) => {
      served.push(certs);
      events.log.push('serve');
    },
  });
  return { r, served };
}

const subjectOf = (pem: string) => new X509Certificate(pem).subject;
const validTo = (pem: string) => new Date(new X509Certificate(pem).validTo).getTime();

test('the first check creates the Secret, serves it, and only then writes the CA bundle into every target', async () => {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const events: Events = { log: [] };
  const vwc = target('vwc', events);
  const crd = target('crd', events);
  const { r, served } = rotator(store, clock, events, [vwc, crd]);
  await r.tick();
  assert.deepEqual(events.log, ['serve', 'bundle vwc', 'bundle crd']);
  const certs = store.data!;
  assert.equal(served[0], certs);
  assert.equal(vwc.bundle, certs['ca.crt']);
  assert.match(subjectOf(certs['ca.crt']), /CN=cert/);
  assert.match(new X509Certificate(certs['tls.crt']).subjectAltName!, /DNS:metallb-webhook-service\.metallb-system\.svc/);
  assert.ok(new X509Certificate(certs['tls.crt']).verify(new X509Certificate(certs['ca.crt']).publicKey));
  assert.deepEqual(checkCertificates(certs, id, new Date(clock.wallMs()), defaultCertPolicy), { renew: 'nothing' });
  await r.tick();
  assert.equal(store.writes, 1, 'a second check renews nothing');
  assert.equal(served.length, 1, 'and serves nothing new');
});

test('a second replica adopts the certificates the first one wrote, and a lost race adopts the winner\'s', async () => {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const events: Events = { log: [] };
  const first = rotator(store, clock, events, []);
  await first.r.tick();
  const second = rotator(store, clock, events, []);
  await second.r.tick();
  assert.equal(store.writes, 1);
  assert.equal(second.served[0]!['tls.crt'], first.served[0]!['tls.crt']);

  const racing = new MemoryStore();
  const winner = rotator(new MemoryStore(), clock, events, []);
  await winner.r.tick();
  racing.raceWith = winner.served[0]!;
  const loser = rotator(racing, clock, events, []);
  await loser.r.tick();
  assert.equal(loser.served[0]!['tls.crt'], winner.served[0]!['tls.crt']);
});

test('with a fake clock: the server certificate is renewed 90 days before it expires, under the same CA', async () => {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const events: Events = { log: [] };
  const vwc = target('vwc', events);
  const { r, served } = rotator(store, clock, events, [vwc]);
  await r.start();
  const before = store.data!;
  clock.advance(270 * dayMs);
  await r.tick();
  assert.equal(store.writes, 1, 'nine months in, nothing is due');
  clock.advance(10 * dayMs);
  await r.tick();
  assert.equal(store.writes, 2);
  const after = store.data!;
  assert.notEqual(after['tls.crt'], before['tls.crt']);
  assert.equal(after['ca.crt'], before['ca.crt'], 'same CA, so the caBundle does not change');
  assert.equal(served.at(-1), after);
  assert.ok(validTo(after['tls.crt']) > clock.wallMs() + 300 * dayMs);
  r.close();
});

test('with a fake clock: a CA near its end is replaced and the old one stays in the bundle until it expires', async () => {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const events: Events = { log: [] };
  const vwc = target('vwc', events);
  const { r } = rotator(store, clock, events, [vwc]);
  await r.tick();
  const oldCa = store.data!['ca.crt'];
  clock.advance(3650 * dayMs - 89 * dayMs);
  await r.tick();
  const rotated = store.data!;
  const bundle = splitPem(rotated['ca.crt']);
  assert.equal(bundle.length, 2);
  assert.equal(bundle[1], oldCa);
  assert.notEqual(bundle[0], oldCa);
  assert.equal(vwc.bundle, rotated['ca.crt'], 'the API server trusts both while replicas switch');
  assert.ok(new X509Certificate(rotated['tls.crt']).verify(new X509Certificate(bundle[0]!).publicKey));
  clock.advance(90 * dayMs);
  await r.tick();
  assert.deepEqual(splitPem(store.data!['ca.crt']), [bundle[0]], 'the expired CA is dropped from the bundle');
  assert.equal(store.data!['tls.crt'], rotated['tls.crt']);
});

test('the periodic check runs on the injected clock and repairs a caBundle someone overwrote', async () => {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const events: Events = { log: [] };
  const vwc = target('vwc', events);
  const { r } = rotator(store, clock, events, [vwc]);
  await r.start();
  vwc.bundle = 'stale';
  clock.advance(60_000);
  await r.tick();
  assert.equal(vwc.bundle, store.data!['ca.crt']);
  r.close();
  assert.equal(clock.pendingCount(), 0);
});

test('garbage in the Secret is replaced by fresh certificates', async () => {
  const clock = new FakeClock();
  const store = new MemoryStore();
  store.data = { 'ca.crt': 'junk', 'ca.key': 'junk', 'tls.crt': 'junk', 'tls.key': 'junk' };
  const events: Events = { log: [] };
  const { r, served } = rotator(store, clock, events, []);
  await r.tick();
  assert.match(served[0]!['tls.crt'], /BEGIN CERTIFICATE/);
  assert.deepEqual(checkCertificates(store.data, id, new Date(clock.wallMs()), defaultCertPolicy), { renew: 'nothing' });
  assert.deepEqual(checkCertificates(store.data, { ...id, namespace: 'other' }, new Date(clock.wallMs()), defaultCertPolicy),
    { renew: 'server', reason: 'names-changed' });
});

test('externally managed certificates (cert-manager) are served as they are: no Secret or caBundle is written', async () => {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const events: Events = { log: [] };
  await rotator(store, clock, events, []).r.tick();
  const vwc = target('vwc', events);
  const served: WebhookCertData[] = [];
  const external = new CertRotator({
    store, targets: [vwc], identity: id, clock, log, externallyManaged: true,
    serve: async (certs) => { served.push(certs); },
  });
  clock.advance(300 * dayMs);
  await external.tick();
  assert.equal(store.writes, 1, 'renewal is due, but the Secret is not ours to write');
  assert.equal(served[0]!['tls.crt'], store.data!['tls.crt']);
  assert.equal(vwc.bundle, '', 'the caBundle is left to the CA injector');
  const empty = new CertRotator({ store: new MemoryStore(), targets: [], identity: id, clock, log, externallyManaged: true, serve: async () => {} });
  await assert.rejects(empty.tick(), { code: 'ERR_WEBHOOK_CERT_MISSING' });
});
