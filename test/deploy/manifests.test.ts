import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { crdFiles } from '../../src/api/crds.js';
import { admissionEndpoints, conversionPath, namespaceEndpoint, webhookNames, webhookPort } from '../../src/api/webhook-endpoints.js';
import { defaultInstallOptions, ports, type InstallOptions } from '../../src/deploy/install-options.js';
import { installObjects, installYaml } from '../../src/deploy/manifests.js';
import { modelProblems, unknownFields } from '../support/k8s-schema.js';

type Obj = Record<string, unknown>;
type Container = { name: string; args: string[]; ports: { name: string; containerPort: number; protocol: string }[];
  livenessProbe: { httpGet: { port: number; host?: string } }; readinessProbe: { httpGet: { port: number } };
  securityContext: { runAsUser?: number; privileged?: boolean; allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean;
    capabilities: { drop: string[]; add?: string[] } } };
type PodSpec = { hostNetwork?: boolean; serviceAccountName: string; securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[]; tolerations?: { key: string }[] };

const root = new URL('../../../', import.meta.url);
const version = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version;
const defaults = defaultInstallOptions(version);
const header = `# metallb-ts ${version}: the whole install, rendered by \`metallb-ts manifests\` (docs/deploy.md).\n` +
  '# Install with: metallb-ts manifests | kubectl apply -f -   (or kubectl apply -f deploy/metallb-ts.yaml)\n';

const objects = (options: InstallOptions = defaults): Obj[] => JSON.parse(JSON.stringify(installObjects(options))) as Obj[];
const find = (objs: Obj[], kind: string, name?: string): Obj => {
  const o = objs.find((x) => x['kind'] === kind && (name === undefined || (x['metadata'] as { name: string }).name === name));
  assert.ok(o, `no ${kind} ${name ?? ''}`);
  return o;
};
const podSpec = (o: Obj): PodSpec => (o['spec'] as { template: { spec: PodSpec } }).template.spec;

test('deploy/metallb-ts.yaml is exactly what `metallb-ts manifests` renders with the defaults (run npm run gen:manifests)', () => {
  assert.equal(readFileSync(new URL('deploy/metallb-ts.yaml', root), 'utf8'), installYaml(defaults, header));
});

test('every rendered object passes Kubernetes\' own OpenAPI schema and has no field Kubernetes does not define', async () => {
  const docs = parseAllDocuments(readFileSync(new URL('deploy/metallb-ts.yaml', root), 'utf8')).map((d) => d.toJS() as Obj);
  assert.equal(docs.length, installObjects(defaults).length);
  const problems: string[] = [];
  for (const doc of docs) problems.push(...(await modelProblems(doc)), ...unknownFields(doc));
  assert.deepEqual(problems, []);
});

test('the schema checks do catch a wrong type, a missing required field and an unknown field', async () => {
  const deployment = find(objects(), 'Deployment');
  const broken = structuredClone(deployment) as { spec: Obj };
  broken.spec['replicas'] = 'two';
  assert.notDeepEqual(await modelProblems(broken as Obj), []);
  const noSelector = structuredClone(deployment) as { spec: Obj };
  delete noSelector.spec['selector'];
  assert.notDeepEqual(await modelProblems(noSelector as Obj), []);
  const typo = structuredClone(deployment) as { spec: { template: { spec: Obj } } };
  typo.spec.template.spec['hostNetwrok'] = true;
  assert.match(unknownFields(typo as Obj).join('\n'), /hostNetwrok: unknown field of V1PodSpec/);
});

test('the CRDs in the install are the schema source\'s, with the BGPPeer conversion webhook', () => {
  const crds = objects().filter((o) => o['kind'] === 'CustomResourceDefinition');
  const source = [...crdFiles().values()].map((text) => parse(text) as Obj);
  assert.deepEqual(crds, source);
  for (const [name, text] of crdFiles()) assert.equal(readFileSync(new URL(`deploy/crds/${name}`, root), 'utf8'), text);
  const peers = find(crds, 'CustomResourceDefinition', 'bgppeers.metallb.io') as { spec: { conversion: { strategy: string; webhook: { clientConfig: { service: Obj } } } } };
  assert.equal(peers.spec.conversion.strategy, 'Webhook');
  assert.deepEqual(peers.spec.conversion.webhook.clientConfig.service, { namespace: 'metallb-system', name: webhookNames.service, path: conversionPath });
});

test('the webhook configuration calls only paths the server serves, through the Service, and never blocks by default', () => {
  const vwc = find(objects(), 'ValidatingWebhookConfiguration') as { webhooks: { name: string; failurePolicy: string; timeoutSeconds: number; sideEffects: string;
    clientConfig: { caBundle?: string; service: { name: string; namespace: string; path: string; port: number } };
    namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] }; rules: { resources: string[]; operations: string[] }[] }[] };
  const served = new Set([...admissionEndpoints.map((e) => e.path), namespaceEndpoint.path]);
  assert.equal(vwc.webhooks.length, 7);
  for (const w of vwc.webhooks) {
    assert.ok(served.has(w.clientConfig.service.path), w.clientConfig.service.path);
    assert.equal(w.clientConfig.service.name, webhookNames.service);
    assert.equal(w.clientConfig.caBundle, undefined, 'the controller writes the caBundle once it serves');
    assert.equal(w.failurePolicy, 'Ignore');
    assert.ok(w.timeoutSeconds <= 5);
    assert.equal(w.sideEffects, 'None');
    assert.equal(w.namespaceSelector.matchExpressions[0]!.key, 'kubernetes.io/metadata.name');
  }
  const bfd = vwc.webhooks.find((w) => w.name === 'bfdprofilevalidationwebhook.metallb.io')!;
  assert.deepEqual(bfd.rules[0]!.operations, ['CREATE', 'DELETE']);
  const elsewhere = vwc.webhooks.find((w) => w.name === namespaceEndpoint.webhookName)!;
  assert.equal(elsewhere.namespaceSelector.matchExpressions[0]!.operator, 'NotIn');
  assert.deepEqual(elsewhere.rules[0]!.operations, ['CREATE']);
  const service = find(objects(), 'Service', webhookNames.service) as { spec: { ports: { port: number; targetPort: string }[]; selector: Obj } };
  const controller = podSpec(find(objects(), 'Deployment')).containers[0]!;
  const target = controller.ports.find((p) => p.name === service.spec.ports[0]!.targetPort);
  assert.equal(target?.containerPort, webhookPort);
  assert.equal(service.spec.ports[0]!.port, 443);
  assert.deepEqual(service.spec.selector, (find(objects(), 'Deployment')['spec'] as { selector: { matchLabels: Obj } }).selector.matchLabels);
});

test('the controller runs non-root with two replicas, probes on the health port and MetalLB\'s ports', () => {
  const deployment = find(objects(), 'Deployment');
  assert.equal((deployment['spec'] as { replicas: number }).replicas, 2);
  const spec = podSpec(deployment);
  assert.equal(spec.securityContext.runAsNonRoot, true);
  assert.equal(spec.securityContext.runAsUser, 65534);
  const c = spec.containers[0]!;
  assert.deepEqual(c.args, ['controller', '--log-level=info']);
  assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.livenessProbe.httpGet.port, ports.health);
  assert.equal(c.readinessProbe.httpGet.port, ports.health);
  assert.deepEqual(c.ports.map((p) => p.containerPort).sort(), [ports.metrics, ports.webhook, ports.health].sort());
});

test('the speaker is on the host network with NET_RAW and NET_ADMIN, not privileged, tolerating control-plane taints', () => {
  const spec = podSpec(find(objects(), 'DaemonSet'));
  assert.equal(spec.hostNetwork, true);
  const c = spec.containers[0]!;
  assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
  for (const cap of ['NET_RAW', 'NET_ADMIN']) assert.ok(c.securityContext.capabilities.add?.includes(cap), cap);
  assert.notEqual(c.securityContext.privileged, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.equal(c.livenessProbe.httpGet.host, '127.0.0.1');
  assert.deepEqual(spec.tolerations?.map((t) => t.key), ['node-role.kubernetes.io/master', 'node-role.kubernetes.io/control-plane']);
  assert.deepEqual(c.ports.filter((p) => p.containerPort === ports.memberlist).map((p) => p.protocol).sort(), ['TCP', 'UDP']);
});

test('every ServiceAccount, Role and binding a pod or binding names exists in the install', () => {
  const objs = objects();
  for (const workload of ['Deployment', 'DaemonSet']) find(objs, 'ServiceAccount', podSpec(find(objs, workload)).serviceAccountName);
  for (const binding of objs.filter((o) => o['kind'] === 'RoleBinding' || o['kind'] === 'ClusterRoleBinding')) {
    const ref = binding['roleRef'] as { kind: string; name: string };
    find(objs, ref.kind, ref.name);
    for (const s of binding['subjects'] as { name: string }[]) find(objs, 'ServiceAccount', s.name);
  }
});

test('the options reach every object: namespace, image, log level, lbClass, replicas, failure policy', () => {
  const options = { ...defaults, namespace: 'lb', image: 'registry.example/metallb-ts:x', logLevel: 'debug' as const, lbClass: 'mine',
    controllerReplicas: 3, webhookFailurePolicy: 'Fail' as const };
  const text = JSON.stringify(installObjects(options));
  const namespaced = text.match(/"namespace":"[^"]*"/g) ?? [];
  assert.ok(namespaced.length > 10);
  assert.deepEqual([...new Set(namespaced)], ['"namespace":"lb"']);
  const objs = objects(options);
  for (const workload of ['Deployment', 'DaemonSet']) {
    const c = podSpec(find(objs, workload)).containers[0] as Container & { image: string };
    assert.equal(c.image, options.image);
    assert.ok(c.args.includes('--log-level=debug') && c.args.includes('--lb-class=mine'));
  }
  assert.equal((find(objs, 'Deployment')['spec'] as { replicas: number }).replicas, 3);
  assert.ok(text.includes('"failurePolicy":"Fail"') && !text.includes('"failurePolicy":"Ignore"'));
  assert.equal(find(objs, 'ClusterRole', 'lb:controller')['kind'], 'ClusterRole');
});
