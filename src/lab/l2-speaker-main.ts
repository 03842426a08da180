/**
 * A layer-2 speaker for the lab, without Kubernetes: gossip membership (UDP+TCP on the node address), MetalLB's
 * election over the live set, and the ARP/NDP announcer, for one static Service. Run inside a node namespace:
 *
 *   node l2-speaker-main.js --node node1 --bind 10.100.0.11 --peers 10.100.0.12,10.100.0.13 \
 *     --nodes node1,node2,node3 --vip 10.200.0.10 [--secret S] [--profile lan|fast] [--port 7946]
 *
 * SIGTERM is a planned stop: leave the gossip (peers elect the next node at once), withdraw, exit 0.
 * Logs are pino JSON lines on stdout; `ready` is logged once the member list and announcer run.
 */
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { systemClock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import { parseIp, type IpAddress } from '../lib/ip.js';
import { createLogger, type LogLevel } from '../lib/logger.js';
import { openGossipTransport } from '../net/gossip-transport.js';
import { nativeLayer2Io } from '../net/layer2-io.js';
import { swimProfiles, type SwimProfile } from '../protocol/swim/config.js';
import { Layer2Speaker } from '../speaker/layer2-speaker.js';
import { Announcer } from '../speaker/layer2/announcer.js';
import { MemberList } from '../speaker/members/member-list.js';

const { values } = parseArgs({
  options: {
    node: { type: 'string' },
    bind: { type: 'string' },
    port: { type: 'string', default: '7946' },
    peers: { type: 'string', default: '' },
    nodes: { type: 'string' },
    vip: { type: 'string' },
    secret: { type: 'string' },
    profile: { type: 'string', default: 'lan' },
    'log-level': { type: 'string', default: 'info' },
  },
});

function required(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new Error(`l2-speaker: --${name} is required`);
  return value;
}

const nodeName = required('node', values.node);
const bind = required('bind', values.bind);
const port = Number(values.port);
const vips: IpAddress[] = required('vip', values.vip).split(',').map((v) => {
  const ip = parseIp(v);
  if (ip === undefined) throw new Error(`l2-speaker: --vip ${v} is not an IP`);
  return ip;
});
const profile = values.profile as SwimProfile;
if (!(profile in swimProfiles)) throw new Error(`l2-speaker: --profile must be one of ${Object.keys(swimProfiles).join(', ')}`);

const logger = createLogger({ level: values['log-level'] as LogLevel, name: nodeName });
const registry = new Registry();
const transport = await openGossipTransport({ ip: bind, port });
const members = new MemberList({
  name: nodeName, transport, config: swimProfiles[profile](), logger, registry,
  ...(values.secret === undefined ? {} : { secret: values.secret }),
});
const announcer = new Announcer({ io: nativeLayer2Io(), clock: systemClock, logger, registry });
await announcer.start();
const speaker = new Layer2Speaker({ nodeName, members, announcer, logger });
speaker.setNodes(required('nodes', values.nodes).split(',').map((name) => ({ name, labels: {}, networkUnavailable: false })));
speaker.setServices([{
  key: 'lab/vip',
  service: { labels: {}, annotations: {}, externalTrafficPolicy: 'Cluster', ips: vips },
  advertisements: [{ nodeSelectors: [], interfaces: [], serviceSelectors: [], preferredNodeSelectors: [] }],
  endpoints: [{ conditions: { ready: true } }],
}]);
members.start();
const peers = values.peers.split(',').filter((p) => p !== '').map((ip) => ({ ip, port }));
// Elect only once the first join has been tried: a speaker that starts alone would elect itself for every
// Service and announce over the real owner until it learns of the others.
const joined = await members.join(peers);
speaker.start();
logger.info({ profile, peers: peers.map((p) => p.ip), joined }, 'ready');

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    try {
      await members.leave(500);
      speaker.stop();
      announcer.close();
      await members.close();
      logger.info('stopped');
    } catch (err) {
      logger.error({ error: errorMessage(err) }, 'stopping');
    } finally {
      process.exit(0);
    }
  })();
});
