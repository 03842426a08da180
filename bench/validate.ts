// Prints how long validation takes for configurations of growing size: documents -> load (schemas) -> build.
// Run: npx tsc -p . && node dist/bench/validate.js. Figures only, never a pass/fail.
import { performance } from 'node:perf_hooks';
import type { SourceDocument } from '../src/api/documents.js';
import { build } from '../src/config/build.js';
import { loadResources } from '../src/config/load.js';

function objects(pools: number, nodes: number): SourceDocument[] {
  const out: unknown[] = [];
  const meta = (name: string) => ({ name, namespace: 'metallb-system', labels: { tier: name.length % 2 ? 'a' : 'b' } });
  for (let i = 0; i < pools; i++) {
    out.push({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta(`pool-${i}`),
      spec: { addresses: [`10.${i >> 8}.${i & 255}.0/25`, `10.${i >> 8}.${i & 255}.128-10.${i >> 8}.${i & 255}.200`, `fc00:${i.toString(16)}::/120`] } });
    out.push({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta(`bgp-${i}`),
      spec: { ipAddressPools: [`pool-${i}`], localPref: 100, communities: ['65535:65282', 'large:1:2:3'], nodeSelectors: [{ matchLabels: { rack: `r${i % 8}` } }] } });
    out.push({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: meta(`l2-${i}`), spec: { ipAddressPools: [`pool-${i}`], interfaces: ['eth0'] } });
  }
  for (let i = 0; i < Math.max(1, pools / 10); i++) {
    out.push({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: meta(`peer-${i}`),
      spec: { myASN: 64500, peerASN: 64501, peerAddress: `192.168.${i >> 8}.${i & 255}`, holdTime: '90s', nodeSelectors: [{ matchLabels: { rack: `r${i % 8}` } }] } });
  }
  for (let i = 0; i < nodes; i++) out.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}`, labels: { rack: `r${i % 8}` } } });
  return out.map((value, i) => ({ origin: `bench#${i}`, value }));
}

// Wall time and CPU time per run: on a loaded machine the CPU time is the steadier figure.
function time(label: string, fn: () => unknown, runs: number): void {
  fn();
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < runs; i++) fn();
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000 / runs;
  process.stdout.write(`${label}: ${((performance.now() - start) / runs).toFixed(2)} ms wall, ${cpuMs.toFixed(2)} ms cpu\n`);
}

const warm = performance.now();
const warmCpu = process.cpuUsage();
loadResources(objects(1, 1));
const warmUsed = process.cpuUsage(warmCpu);
process.stdout.write(`first use (schema compile): ${(performance.now() - warm).toFixed(1)} ms wall, ${((warmUsed.user + warmUsed.system) / 1000).toFixed(1)} ms cpu\n`);
for (const [pools, nodes] of [[10, 10], [100, 50], [1000, 200]] as const) {
  const docs = objects(pools, nodes);
  const loaded = loadResources(docs);
  const result = build(loaded.resources);
  if (result.errors !== undefined) throw new Error(result.errors[0]?.message);
  time(`${pools} pools, ${pools} L2 + ${pools} BGP ads, ${Math.max(1, pools / 10)} peers, ${nodes} nodes: load`, () => loadResources(docs), 20);
  time(`${pools} pools, ...: build`, () => build(loaded.resources), 20);
}
