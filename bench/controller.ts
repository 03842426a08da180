/**
 * Controller benchmarks: prints figures, asserts nothing. Run `node dist/bench/controller.js` (after
 * `npx tsc -p .`); `--latency-services N --rss-services N --rate N` change the sizes.
 *
 * Three processes, as in a cluster: the test API server, `metallb-ts controller` (the real CLI, its
 * own process), and this driver (the "users"). Figures:
 * - Service created -> status written: from sending the create to the ingress IP appearing on a watch,
 *   p50/p99 over N Services created at a steady rate, and over N created at once (a burst).
 * - Controller RSS (from /proc) at start and with 10,000 Services holding addresses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';

const { values: args } = parseArgs({
  options: {
    'latency-services': { type: 'string', default: '1000' },
    'rss-services': { type: 'string', default: '10000' },
    rate: { type: 'string', default: '100' },
  },
});

const dist = new URL('..', import.meta.url).pathname;
const children: ChildProcess[] = [];
const tmp = mkdtempSync(join(os.tmpdir(), 'metallb-ts-bench-'));

function spawnNode(script: string, argv: string[]): ChildProcess {
  const child = spawn(process.execPath, [join(dist, script), ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface(child.stdout!);
  for await (const line of lines) return line;
  throw new Error('process ended before printing');
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

/** CPU time (user + system) the process has used, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface Cluster {
  readonly kc: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly controller: ChildProcess;
  readonly metricsPort: number;
}

async function setUp(): Promise<Cluster> {
  const kubeconfig = join(tmp, 'kubeconfig.yaml');
  const api = spawnNode('src/lab/apiserver/cli.js', ['--port', '0', '--kubeconfig', kubeconfig]);
  await firstLine(api);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'metallb-system' } } });
  await kc.makeApiClient(k8s.CustomObjectsApi).createNamespacedCustomObject({
    group: 'metallb.io', version: 'v1beta1', namespace: 'metallb-system', plural: 'ipaddresspools',
    body: { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bench' }, spec: { addresses: ['10.0.0.0/14'] } },
  });
  const metricsPort = 20000 + Math.floor(Math.random() * 20000);
  const controller = spawnNode('src/cmd/main.js', ['controller', '--kubeconfig', kubeconfig, '--port', String(metricsPort),
    '--health-probe-port', '0', '--host', '127.0.0.1', '--log-level', 'warn']);
  await until('the controller to lead', async () => {
    const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => '');
    return /metallb_ts_controller_leader_bool 1/.test(text) && /metallb_k8s_client_config_loaded_bool 1/.test(text);
  }, 60_000);
  return { kc, core, controller, metricsPort };
}

/** Times from create to the first watch event showing an ingress IP, per Service name. */
function watchAssignments(kc: k8s.KubeConfig, seen: Map<string, number>): Promise<AbortController> {
  return new k8s.Watch(kc).watch('/api/v1/namespaces/default/services', {}, (_type, obj: k8s.V1Service) => {
    const name = obj.metadata?.name ?? '';
    if (!seen.has(name) && (obj.status?.loadBalancer?.ingress?.length ?? 0) > 0) seen.set(name, performance.now());
  }, () => undefined);
}

async function createServices(core: k8s.CoreV1Api, prefix: string, count: number, ratePerSec: number | undefined, sent: Map<string, number>): Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  const startMs = performance.now();
  for (let i = 0; i < count; i++) {
    if (ratePerSec !== undefined) {
      const due = startMs + (i * 1000) / ratePerSec;
      if (due > performance.now()) await sleep(due - performance.now());
    }
    const name = `${prefix}-${i}`;
    sent.set(name, performance.now());
    const p = core.createNamespacedService({ namespace: 'default', body: { metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 32) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

async function latency(c: Cluster, prefix: string, count: number, ratePerSec: number | undefined): Promise<string> {
  const seen = new Map<string, number>();
  const sent = new Map<string, number>();
  const watch = await watchAssignments(c.kc, seen);
  const started = performance.now();
  const cpu0 = cpuMs(c.controller.pid!);
  await createServices(c.core, prefix, count, ratePerSec, sent);
  await until(`${count} assignments`, () => [...sent.keys()].every((n) => seen.has(n)));
  const total = performance.now() - started;
  watch.abort();
  const ms = [...sent].map(([name, t]) => seen.get(name)! - t).sort((a, b) => a - b);
  const how = ratePerSec === undefined ? 'burst' : `${ratePerSec}/s`;
  const cpuPerService = (cpuMs(c.controller.pid!) - cpu0) / count;
  return `create -> status written, ${count} Services (${how}): p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${ms[ms.length - 1]!.toFixed(1)} ms; all assigned in ${(total / 1000).toFixed(1)} s; controller CPU ${cpuPerService.toFixed(2)} ms per Service`;
}

async function rss(c: Cluster, total: number, already: number): Promise<string[]> {
  const lines: string[] = [];
  const seen = new Map<string, number>();
  const watch = await watchAssignments(c.kc, seen);
  const started = performance.now();
  const cpu0 = cpuMs(c.controller.pid!);
  await createServices(c.core, 'rss', total - already, undefined, new Map());
  await until(`${total} assignments`, async () => {
    const list = await c.core.listNamespacedService({ namespace: 'default' });
    return list.items.filter((s) => (s.status?.loadBalancer?.ingress?.length ?? 0) > 0).length >= total;
  });
  watch.abort();
  lines.push(`${total - already} more Services created and assigned in ${((performance.now() - started) / 1000).toFixed(1)} s; controller CPU ${((cpuMs(c.controller.pid!) - cpu0) / (total - already)).toFixed(2)} ms per Service`);
  await sleep(2000);
  lines.push(`controller RSS with ${total} Services: ${rssMb(c.controller.pid!).toFixed(0)} MB`);
  return lines;
}

async function main(): Promise<void> {
  const c = await setUp();
  await sleep(1000);
  const out = [`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 1e9).toFixed(0)} GB, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`];
  out.push(`controller RSS at start (no Services): ${rssMb(c.controller.pid!).toFixed(0)} MB`);
  const n = Number(args['latency-services']);
  out.push(await latency(c, 'steady', n, Number(args.rate)));
  out.push(await latency(c, 'burst', n, undefined));
  out.push(...await rss(c, Number(args['rss-services']), 2 * n));
  out.push(`load after: ${os.loadavg()[0]!.toFixed(1)}`);
  for (const line of out) process.stdout.write(`${line}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/controller: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
}).finally(() => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});
