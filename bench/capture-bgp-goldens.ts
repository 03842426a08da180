/**
 * Captures golden BGP messages from FRR, BIRD 2 and GoBGP for the codec tests: each router runs in a lab
 * namespace with one IPv4 and one IPv6 eBGP session to our speaker and a route of each family to announce
 * (with communities and a large community); tcpdump records the router's side; then the router is made to
 * reset the IPv4 session, which sends a NOTIFICATION. The router's OPEN, first IPv4 UPDATE, first IPv6 UPDATE
 * and NOTIFICATION are written to src/protocol/bgp/testdata/<router>-*.hex with where they came from.
 *   node dist/bench/capture-bgp-goldens.js   (root; writes into the source tree)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNetwork, defaultTopology, runPrefix, waitFor, type Network } from '../src/lab/netns/index.js';
import { FrrRouter } from '../src/lab/routers/frr-router.js';
import { BirdRouter, birdProtocolName } from '../src/lab/routers/bird-router.js';
import { GobgpRouter } from '../src/lab/routers/gobgp-router.js';
import type { BgpRouter, RouterConfig, RouterKind } from '../src/lab/routers/router.js';
import { BgpFramer } from '../src/protocol/bgp/framer.js';
import { MessageType } from '../src/protocol/bgp/constants.js';
import { LabSpeaker } from '../test/support/bgp-lab.js';
import { createLogger } from '../src/lib/logger.js';
import { tcpSegments, tcpStreams } from './pcap.js';

const testdata = fileURLToPath(new URL('../../src/protocol/bgp/testdata/', import.meta.url));
const config: RouterConfig = {
  asn: 64500, routerId: '10.100.0.1', holdTimeSec: 9, connectRetrySec: 1,
  neighbors: [{ address: '10.100.0.11', asn: 64512 }, { address: 'fd00:100::11', asn: 64512 }],
};

function version(kind: RouterKind): string {
  const first = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0] ?? '';
  switch (kind) {
    case 'frr': return `FRR ${first('/usr/lib/frr/bgpd', ['--version']).replace(/^bgpd version /, '')}`;
    case 'bird': return spawnSync('bird', ['--version'], { encoding: 'utf8' }).stderr.trim().replace(/^BIRD version /, 'BIRD ') || 'BIRD 2';
    case 'gobgp': return `GoBGP ${first('gobgpd', ['--version']).replace(/^gobgpd version /, '')}`;
  }
}

/** Routes for the router to send us, with COMMUNITIES and LARGE_COMMUNITY. */
async function announceRoutes(router: BgpRouter): Promise<void> {
  if (router instanceof FrrRouter) {
    await router.vtysh('configure terminal', 'route-map tag permit 10', 'set community 65000:1 65000:2', 'set large-community 65000:1:2', 'exit',
      'router bgp 64500', 'address-family ipv4 unicast', 'network 10.77.0.0/24 route-map tag', 'exit-address-family',
      'address-family ipv6 unicast', 'network fd00:77::/64 route-map tag', 'exit-address-family');
  } else if (router instanceof GobgpRouter) {
    await router.gobgp('global', 'rib', 'add', '10.77.0.0/24', 'origin', 'igp', 'community', '65000:1,65000:2', 'large-community', '65000:1:2', '-a', 'ipv4');
    await router.gobgp('global', 'rib', 'add', 'fd00:77::/64', 'origin', 'igp', 'community', '65000:1,65000:2', 'large-community', '65000:1:2', '-a', 'ipv6');
  }
}

async function resetV4(router: BgpRouter): Promise<void> {
  if (router instanceof FrrRouter) await router.vtysh('clear bgp 10.100.0.11');
  else if (router instanceof BirdRouter) await router.birdc('disable', birdProtocolName('10.100.0.11'));
  else if (router instanceof GobgpRouter) await router.gobgp('neighbor', '10.100.0.11', 'reset');
}

function makeRouter(kind: RouterKind, net: Network): BgpRouter {
  if (kind === 'frr') return new FrrRouter(net, 'router', config);
  if (kind === 'gobgp') return new GobgpRouter(net, 'router', config);
  const bird = new BirdRouter(net, 'router', config);
  // BIRD announces static routes: extend its config with them (exported to both peers).
  const start = bird.start.bind(bird);
  bird.start = async () => {
    await start();
    const conf = join(net.workDir, 'bird-router.conf');
    const extra = `
protocol static routes4 { ipv4; route 10.77.0.0/24 blackhole { bgp_community.add((65000,1)); bgp_community.add((65000,2)); bgp_large_community.add((65000,1,2)); }; }
protocol static routes6 { ipv6; route fd00:77::/64 blackhole { bgp_community.add((65000,1)); bgp_community.add((65000,2)); bgp_large_community.add((65000,1,2)); }; }
`;
    writeFileSync(conf, readFileSync(conf, 'utf8').replace(/export none;/g, 'export where proto ~ "routes*";') + extra);
    await bird.birdc('configure');
  };
  return bird;
}

interface Golden { name: string; what: string; bytes: Uint8Array }

function pickGoldens(kind: RouterKind, streams: ReturnType<typeof tcpStreams>): Golden[] {
  const found = new Map<string, Golden>();
  for (const s of streams.values()) {
    if (s.from.ip !== '10.100.0.1' && s.from.ip !== 'fd00:100::1') continue;
    const { frames, error } = new BgpFramer().push(s.bytes);
    if (process.env['CAPTURE_TRACE'] === '1') console.log(`${s.from.ip}:${s.from.port} -> ${s.to.ip}:${s.to.port}: ${frames.map((f) => f.type).join(' ')} ${error?.message ?? ''}`);
    for (const f of frames) {
      const six = s.from.ip.includes(':');
      const message = f.message.slice();
      if (f.type === MessageType.Open && !six) found.set('open', found.get('open') ?? { name: 'open', what: 'OPEN on the IPv4 session', bytes: message });
      if (f.type === MessageType.Notification) found.set('notification', found.get('notification') ?? { name: 'notification', what: 'NOTIFICATION when the router resets the IPv4 session', bytes: message });
      if (f.type === MessageType.Update && f.body.length > 4) {
        const name = six ? 'update-v6' : 'update-v4';
        found.set(name, found.get(name) ?? { name, what: `UPDATE announcing ${six ? 'fd00:77::/64' : '10.77.0.0/24'} with communities`, bytes: message });
      }
    }
  }
  const missing = ['open', 'update-v4', 'update-v6', 'notification'].filter((n) => !found.has(n));
  if (missing.length > 0) throw new Error(`${kind}: no ${missing.join(', ')} captured`);
  return [...found.values()];
}

function hexLines(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return (hex.match(/.{1,64}/g) ?? []).join('\n');
}

for (const kind of ['frr', 'bird', 'gobgp'] as RouterKind[]) {
  const net = await buildNetwork(defaultTopology(runPrefix('cg'), { nodes: 1, client: false, outside: false }));
  try {
    const pcap = join(net.workDir, `${kind}.pcap`);
    const dump = net.start('router', ['tcpdump', '-i', 'eth0', '--immediate-mode', '-U', '-s', '0', '-w', pcap, 'tcp port 179'], 'tcpdump');
    await waitFor(() => dump.output().includes('listening'), { timeoutMs: 10_000, what: 'tcpdump to start' });
    const router = makeRouter(kind, net);
    await router.start();
    await announceRoutes(router);
    const speaker = await LabSpeaker.start(net, 'node1', [
      { name: 'r4', peerAddress: '10.100.0.1', myAsn: 64512, peerAsn: 64500, holdTimeSec: 9, connectTimeSec: 1, enableGracefulRestart: true },
      { name: 'r6', peerAddress: 'fd00:100::1', myAsn: 64512, peerAsn: 64500, holdTimeSec: 9, connectTimeSec: 1, enableGracefulRestart: true },
    ], process.env['CAPTURE_TRACE'] === '1' ? { logger: createLogger({ level: 'info' }) } : {});
    await waitFor(() => [...speaker.sessions.values()].every((s) => s.status().received.IPv4 + s.status().received.IPv6 > 0),
      { timeoutMs: 30_000, intervalMs: 200, what: `${kind} to send its routes` });
    await resetV4(router);
    await waitFor(() => speaker.sessions.get('10.100.0.1')!.status().state !== 'Established', { timeoutMs: 10_000, what: 'the reset' });
    await new Promise((r) => setTimeout(r, 300));
    await speaker.close();
    await router.stop();
    await dump.stop(2000);
    const goldens = pickGoldens(kind, tcpStreams(tcpSegments(readFileSync(pcap))));
    const date = new Date().toISOString().slice(0, 10);
    for (const g of goldens) {
      const file = join(testdata, `${kind}-${g.name}.hex`);
      writeFileSync(file, `# ${g.what}, from ${version(kind)} (AS 64500) to metallb-ts (AS 64512).\n`
        + `# Captured with tcpdump in a lab namespace by bench/capture-bgp-goldens.ts on ${date}.\n${hexLines(g.bytes)}\n`);
      console.log(`wrote ${file} (${g.bytes.length} bytes)`);
    }
  } finally {
    await net.close();
  }
}
