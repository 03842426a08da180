/**
 * A run of `metallb-ts speaker` (child process, user "speaker") against the test API server that reaches every
 * call the speaker makes, for the RBAC test. Safe on any host: every interface is excluded from layer 2 (no
 * packet socket opens, nothing is sent), gossip binds to loopback and the one BGP peer is a closed loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { start, type ApiServer, type RequestRecord } from '../../src/lab/apiserver/index.js';
import { bgpAd, l2, peer, pool } from './config-objects.js';
import {
  clients, ensureNamespace, metallbNamespace, putEndpoints, putMetallbObjects, putNode, putService, putSpeakerPod, statusObjects,
  type ClusterClients,
} from './speaker-objects.js';
import { eventually } from './test-api.js';

export class SpeakerRbacEnv {
  readonly api: ApiServer;
  readonly c: ClusterClients;
  private readonly tmp = mkdtempSync(join(tmpdir(), 'metallb-ts-spk-rbac-'));
  private child: ChildProcess | undefined;

  private constructor(api: ApiServer) {
    this.api = api;
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions(api.kubeconfig('tester'));
    this.c = clients(kc);
  }

  static async create(): Promise<SpeakerRbacEnv> {
    return new SpeakerRbacEnv(await start({ port: 0 }));
  }

  calls(): RequestRecord[] {
    return this.api.requests().filter((r) => r.user === 'speaker');
  }

  private spawnSpeaker(gossipPort: number): ChildProcess {
    const kubeconfig = join(this.tmp, 'speaker.yaml');
    writeFileSync(kubeconfig, this.api.kubeconfigYaml('speaker'));
    const exclude = join(this.tmp, 'excludel2.yaml');
    writeFileSync(exclude, 'announcedInterfacesToExclude: [".*"]\n');
    const main = new URL('../../src/cmd/main.js', import.meta.url).pathname;
    return spawn(process.execPath, [main, 'speaker', '--node', 'node-1', '--kubeconfig', kubeconfig, '--pod-name', 'speaker-node-1',
      '--port', '0', '--health-probe-port', '0', '--no-bgp-listen', '--excludel2-file', exclude, '--log-level', 'warn',
      '--ml-bindaddr', '127.0.0.1', '--ml-bindport', String(gossipPort), '--ml-labels', 'app=metallb,component=speaker'], {
      env: { ...process.env, METALLB_NAMESPACE: metallbNamespace }, stdio: ['ignore', 'ignore', 'inherit'],
    });
  }

  /** The run: announce over layer 2 and BGP, withdraw, announce again (the same event twice), stop. */
  async exercise(): Promise<void> {
    const c = this.c;
    await ensureNamespace(c, metallbNamespace);
    await putNode(c, 'node-1', { internalIps: ['127.0.0.1'] });
    await putSpeakerPod(c, 'node-1', '127.0.0.1');
    await c.core.createNamespacedSecret({ namespace: metallbNamespace, body: { metadata: { name: 'memberlist' }, stringData: { secretkey: 'rbac-key' } } });
    await putMetallbObjects(c, [
      pool('p', ['192.0.2.0/28']), l2('l2'), bgpAd('bgp'),
      peer('closed', { myASN: 64512, peerASN: 64500, peerAddress: '127.0.0.1', peerPort: 1179 }),
    ]);
    await putService(c, 'default', 'web', { ips: ['192.0.2.1'] });
    await putEndpoints(c, 'default', 'web', [{ node: 'node-1', address: '127.0.0.1' }]);
    this.child = this.spawnSpeaker(await freePort());
    const both = async (n: number) => (await statusObjects(c, 'ServiceL2Status')).filter((o) => o.status.node === 'node-1').length === n
      && (await statusObjects(c, 'ServiceBGPStatus')).filter((o) => o.status.node === 'node-1').length === n;
    await eventually('the status objects written', () => both(1), 30_000);
    await eventually('the ConfigurationState written', () => this.calls().some((r) => r.resource === 'configurationstates' && r.subresource === 'status'), 30_000);
    const web = await c.core.readNamespacedService({ name: 'web', namespace: 'default' });
    await c.core.replaceNamespacedService({ name: 'web', namespace: 'default', body: { ...web, spec: { ...web.spec, type: 'ClusterIP' } } });
    await eventually('the status objects deleted', () => both(0), 30_000);
    const again = await c.core.readNamespacedService({ name: 'web', namespace: 'default' });
    await c.core.replaceNamespacedService({ name: 'web', namespace: 'default', body: { ...again, spec: { ...again.spec, type: 'LoadBalancer' } } });
    await eventually('the status objects written again', () => both(1), 30_000);
    const exited = new Promise<void>((resolve) => this.child?.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }

  async close(): Promise<void> {
    if (this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.api.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
