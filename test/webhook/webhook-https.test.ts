/**
 * The webhook end to end over real HTTPS, as the API server calls it: a TLS client that trusts only the CA the
 * rotator generated and checks the Service's DNS name, AdmissionReview v1 in and out, at MetalLB's paths. The
 * cases are MetalLB's webhook e2e list (metallb-behaviour.md §9.2).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { FakeClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { MetallbError } from '../../src/lib/errors.js';
import type { AdmissionInput } from '../../src/config/admission.js';
import { admissionEndpoints, namespaceEndpoint } from '../../src/api/webhook-endpoints.js';
import { type WebhookCertData } from '../../src/k8s/webhook/cert-plan.js';
import { type CertStore, CertRotator, conflictCode } from '../../src/k8s/webhook/cert-rotator.js';
import { WebhookMetrics } from '../../src/k8s/webhook/webhook-metrics.js';
import { WebhookServer } from '../../src/k8s/webhook/webhook-server.js';
import { bfd, bgpAd, community, l2, node, peer, pool, type Obj } from '../support/config-objects.js';

const ns = 'metallb-system';
const serverName = `metallb-webhook-service.${ns}.svc`;
const log = createLogger({ level: 'none' });

class Cluster {
  readonly lists = new Map<AdmissionInput, Obj[]>();
  failing: string | undefined;

  async list(input: AdmissionInput): Promise<readonly unknown[]> {
    if (this.failing !== undefined) throw new Error(this.failing);
    return this.lists.get(input) ?? [];
  }

  set(input: AdmissionInput, ...objects: Obj[]): void {
    this.lists.set(input, objects);
  }

  clear(): void {
    this.lists.clear();
    this.failing = undefined;
  }
}

class OneSecret implements CertStore {
  data: WebhookCertData | undefined;
  async read() {
    return this.data === undefined ? undefined : { data: this.data, resourceVersion: '1' };
  }
  async create(data: WebhookCertData) {
    if (this.data !== undefined) throw new MetallbError(conflictCode, 'exists');
    this.data = data;
  }
  async replace(data: WebhookCertData) {
    this.data = data;
  }
}

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly peerCertificateSubject: string;
}

/** `skipTimeCheck`: accept a certificate whatever its dates (the fake clock moved the issuer into the future). */
function post(port: number, ca: string, path: string, payload: unknown, skipTimeCheck = false): Promise<Reply> {
  const text = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path, method: 'POST', ca, servername: serverName, agent: false, rejectUnauthorized: !skipTimeCheck,
      checkServerIdentity: (_host, cert) => (cert.subjectaltname?.split(', ').includes(`DNS:${serverName}`) ? undefined : new Error('wrong name')),
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const socket = res.socket as TLSSocket;
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          peerCertificateSubject: socket.getPeerCertificate?.().fingerprint256 ?? '' });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

let uidCounter = 0;

function review(operation: string, object: Obj | undefined, oldObject?: Obj, namespace = ns): object {
  const o = (object ?? oldObject)!;
  const [group, version] = String(o['apiVersion']).split('/');
  const name = (o['metadata'] as { name: string }).name;
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: `uid-${++uidCounter}`, kind: { group, version, kind: o['kind'] }, resource: { group, version, resource: 'x' },
      name, namespace, operation, userInfo: { username: 'test' }, object: object ?? null, oldObject: oldObject ?? null, dryRun: false,
    },
  };
}

function pathOf(obj: Obj): string {
  const e = admissionEndpoints.find((x) => x.kind === obj['kind']);
  assert.ok(e);
  return e.path;
}

describe('the webhook over HTTPS', () => {
  const cluster = new Cluster();
  const secret = new OneSecret();
  // Wall time starts now: a real TLS client checks validity against the real clock.
  const clock = new FakeClock(0, Date.now());
  const registry = new Registry();
  const server = new WebhookServer({ namespace: ns, reader: cluster, log, port: 0, host: '127.0.0.1', metrics: new WebhookMetrics(registry) });
  const rotator = new CertRotator({
    store: secret, targets: [], identity: { serviceName: 'metallb-webhook-service', namespace: ns }, clock, log,
    serve: (certs) => server.serve(certs),
  });
  let ca = '';

  before(async () => {
    await rotator.tick();
    ca = secret.data!['ca.crt'];
  });
  after(async () => {
    rotator.close();
    await server.close();
  });

  async function admit(operation: string, object: Obj | undefined, oldObject?: Obj, namespace = ns, path?: string) {
    const obj = (object ?? oldObject)!;
    const reply = await post(server.port, ca, path ?? pathOf(obj), review(operation, object, oldObject, namespace));
    assert.equal(reply.status, 200);
    const response = reply.body['response'] as { uid: string; allowed: boolean; status?: { code: number; message: string }; warnings?: string[] };
    assert.equal(response.uid, `uid-${uidCounter}`, 'the reply carries the request uid');
    return response;
  }

  async function denied(operation: string, object: Obj | undefined, oldObject?: Obj, namespace = ns, path?: string): Promise<string> {
    const r = await admit(operation, object, oldObject, namespace, path);
    assert.equal(r.allowed, false, `expected ${operation} ${JSON.stringify(object ?? oldObject)} to be denied`);
    assert.equal(r.status?.code, 403);
    return r.status?.message ?? '';
  }

  async function allowed(operation: string, object: Obj | undefined, oldObject?: Obj): Promise<string[]> {
    const r = await admit(operation, object, oldObject);
    assert.equal(r.allowed, true, `expected ${operation} to be allowed: ${r.status?.message ?? ''}`);
    return r.warnings ?? [];
  }

  test('a pool whose addresses overlap another pool\'s is denied; a disjoint one is admitted', async () => {
    cluster.clear();
    cluster.set('pools', pool('first', ['192.168.10.0/24']));
    assert.match(await denied('CREATE', pool('second', ['192.168.10.100-192.168.10.200'])), /overlaps/);
    await allowed('CREATE', pool('second', ['192.168.11.0/24']));
  });

  test('requests are counted with controller-runtime\'s webhook metric names, by path and HTTP code', async () => {
    cluster.clear();
    const path = pathOf(pool('counted', ['192.168.30.0/24']));
    const before = await requestsCounted(path, '200');
    await allowed('CREATE', pool('counted', ['192.168.30.0/24']));
    assert.equal(await requestsCounted(path, '200'), before + 1);
    const text = await registry.metrics();
    assert.match(text, new RegExp(`controller_runtime_webhook_latency_seconds_count\\{webhook="${path}"\\} \\d+`));
    assert.match(text, new RegExp(`controller_runtime_webhook_requests_in_flight\\{webhook="${path}"\\} 0`));
  });

  async function requestsCounted(path: string, code: string): Promise<number> {
    const metric = await registry.getSingleMetric('controller_runtime_webhook_requests_total')?.get();
    return metric?.values.find((v) => v.labels['webhook'] === path && v.labels['code'] === code)?.value ?? 0;
  }

  test('an aggregationLength shorter than a pool\'s prefix is denied', async () => {
    cluster.clear();
    cluster.set('pools', pool('p', ['192.168.10.0/26']));
    assert.match(await denied('CREATE', bgpAd('agg', { ipAddressPools: ['p'], aggregationLength: 24 })), /aggregation/i);
  });

  test('serviceSelectors with a non-default aggregation length are denied', async () => {
    cluster.clear();
    assert.match(await denied('CREATE', bgpAd('sel', { aggregationLength: 30, serviceSelectors: [{ matchLabels: { app: 'x' } }] })), /serviceSelectors/);
  });

  test('a BGPPeer whose address is not an IP is denied', async () => {
    cluster.clear();
    assert.match(await denied('CREATE', peer('bad', { peerAddress: '1.2.3.256' })), /peerAddress/);
  });

  test('two peers with the same address on overlapping nodes are denied; on disjoint nodes they are admitted', async () => {
    cluster.clear();
    cluster.set('nodes', node('n1', { rack: 'a' }), node('n2', { rack: 'b' }));
    cluster.set('peers', peer('one', { nodeSelectors: [{ matchLabels: { rack: 'a' } }] }));
    assert.equal((await admit('CREATE', peer('two', { nodeSelectors: [{ matchLabels: { rack: 'a' } }] }))).allowed, false);
    await allowed('CREATE', peer('two', { nodeSelectors: [{ matchLabels: { rack: 'b' } }] }));
  });

  test('invalid communities are denied on create and on update, legacy and large', async () => {
    cluster.clear();
    assert.match(await denied('CREATE', community('c', [['x', '99999999:1']])), /99999999:1/);
    assert.match(await denied('CREATE', community('c', [['x', 'lar:123:9999:123']])), /large/);
    const good = community('c', [['x', '65000:1']]);
    cluster.set('communities', good);
    assert.match(await denied('UPDATE', community('c', [['x', '99999999:1']]), good), /99999999:1/);
    assert.match(await denied('UPDATE', community('c', [['x', 'lar:123:9999:123']]), good), /large/);
    assert.match(await denied('CREATE', bgpAd('ad', { communities: ['99999999:1'] })), /99999999:1/);
  });

  test('a community alias defined twice is denied, for legacy and for large values', async () => {
    cluster.clear();
    cluster.set('communities', community('c1', [['legacy', '65000:1'], ['large', 'large:1:2:3']]));
    assert.match(await denied('CREATE', community('c2', [['legacy', '65000:2']])), /already defined/);
    assert.match(await denied('CREATE', community('c2', [['large', 'large:4:5:6']])), /already defined/);
  });

  test('deleting a BFDProfile a BGPPeer uses is denied; unused it is deleted', async () => {
    cluster.clear();
    cluster.set('peers', peer('p', { bfdProfile: 'fast' }));
    assert.match(await denied('DELETE', undefined, bfd('fast')), /BGPPeer "p"/);
    cluster.set('peers', peer('p'));
    await allowed('DELETE', undefined, bfd('fast'));
  });

  test('every kind created outside the MetalLB namespace is denied, by the namespace webhook and by the per-kind ones', async () => {
    cluster.clear();
    for (const obj of [pool('p', ['10.0.0.0/24']), l2('l'), bgpAd('b'), peer('x'), bfd('f'), community('c', [['a', '1:1']])]) {
      assert.match(await denied('CREATE', obj, undefined, 'default', namespaceEndpoint.path), /MetalLB namespace "metallb-system"/);
      assert.match(await denied('CREATE', obj, undefined, 'default'), /not "default"/);
    }
  });

  test('references to objects not created yet are admitted with a warning', async () => {
    cluster.clear();
    const warnings = await allowed('CREATE', bgpAd('ad', { communities: ['not-yet'] }));
    assert.match(warnings.join('\n'), /not-yet/);
    await allowed('CREATE', peer('p', { bfdProfile: 'later', passwordSecret: { name: 'later' } }));
  });

  test('when the existing objects cannot be listed the change is admitted with a warning saying so', async () => {
    cluster.clear();
    cluster.failing = 'apiserver unavailable';
    const warnings = await allowed('CREATE', pool('p', ['10.0.0.0/24']));
    assert.match(warnings.join('\n'), /could not check.*apiserver unavailable.*ConfigurationState/);
  });

  test('a BGPPeer converts v1beta2 -> v1beta1 -> v1beta2 through /convert without losing a field', async () => {
    const v2 = peer('round', { vrf: 'red', enableGracefulRestart: true, holdTime: '90s', nodeSelectors: [{ matchLabels: { a: 'b' } }] });
    const convert = async (objects: unknown[], desired: string) => {
      const reply = await post(server.port, ca, '/convert', {
        apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'c1', desiredAPIVersion: desired, objects },
      });
      assert.equal(reply.status, 200);
      const response = reply.body['response'] as { uid: string; result: { status: string }; convertedObjects: Obj[] };
      assert.equal(response.uid, 'c1');
      assert.equal(response.result.status, 'Success');
      return response.convertedObjects;
    };
    const [v1] = await convert([v2], 'metallb.io/v1beta1');
    assert.equal(v1!['apiVersion'], 'metallb.io/v1beta1');
    assert.equal((v1!['spec'] as { peerAddress: string }).peerAddress, '10.0.0.1');
    const [back] = await convert([v1], 'metallb.io/v1beta2');
    assert.deepEqual(back, v2);
  });

  test('a conversion to an unknown version fails the review, not the connection', async () => {
    const reply = await post(server.port, ca, '/convert', {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'c2', desiredAPIVersion: 'metallb.io/v9', objects: [] },
    });
    assert.equal((reply.body['response'] as { result: { status: string } }).result.status, 'Failure');
  });

  test('unknown paths, other methods and bodies that are not reviews get plain HTTP errors', async () => {
    assert.equal((await post(server.port, ca, '/nope', {})).status, 404);
    assert.equal((await post(server.port, ca, pathOf(pool('p', [])), { hello: 1 })).status, 400);
    assert.equal((await server.handle('GET', '/convert', '')).httpCode, 405);
  });

  test('a client that does not trust the CA is refused, and a renewed certificate is served without a restart', async () => {
    await assert.rejects(post(server.port, '', '/convert', {}), /self-signed|unable to verify|certificate/i);
    const first = await post(server.port, ca, '/nope', {});
    assert.equal(first.peerCertificateSubject, new X509Certificate(secret.data!['tls.crt']).fingerprint256);
    clock.advance(300 * 24 * 60 * 60 * 1000);
    await rotator.tick();
    assert.equal(secret.data!['ca.crt'], ca, 'a server certificate renewal keeps the CA');
    const renewed = new X509Certificate(secret.data!['tls.crt']);
    assert.ok(renewed.verify(new X509Certificate(ca).publicKey));
    // The renewed certificate starts 300 fake days from now, so this client skips only the date check.
    const second = await post(server.port, ca, '/nope', {}, true);
    assert.equal(second.peerCertificateSubject, renewed.fingerprint256, 'the renewed certificate is served on new connections');
    assert.notEqual(second.peerCertificateSubject, first.peerCertificateSubject);
  });
});
