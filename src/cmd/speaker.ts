/**
 * `metallb-ts speaker --node NAME`: flags and environment as MetalLB's speaker where they apply
 * (metallb-behaviour.md §5.5, §7, §8), plus the gossip profile and tuning. Wiring only: the announcer and its
 * packet sockets, the BGP dialer and listener, the gossip transport and member list, the Kubernetes runtime.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { loadKubeConfig, podNamespace } from '../k8s/kube-config.js';
import { SpeakerRuntime, type MemberlistWiring } from '../k8s/speaker-runtime.js';
import { systemClock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import { createLogger, logLevels, type LogLevel, type Logger } from '../lib/logger.js';
import { TcpBgpAcceptor, TcpBgpDialer, linkLocalFor } from '../net/bgp-tcp.js';
import { openGossipTransport } from '../net/gossip-transport.js';
import { nativeLayer2Io } from '../net/layer2-io.js';
import { swimProfiles, validateSwimConfig, type SwimConfig, type SwimProfile } from '../protocol/swim/config.js';
import { BgpMetrics } from '../speaker/bgp/metrics.js';
import { routerIdFromNodeName } from '../speaker/bgp/peer-spec.js';
import { BgpSessions } from '../speaker/bgp/bgp-sessions.js';
import { BfdSessions } from '../speaker/bgp/bfd-sessions.js';
import { BfdMetrics } from '../speaker/bgp/bfd-metrics.js';
import { BfdUdpTransportFactory } from '../net/bfd-udp.js';
import { netDeviceExists } from '../net/net-device.js';
import { Announcer } from '../speaker/layer2/announcer.js';
import { defaultExcludedInterfaces } from '../speaker/layer2/interfaces.js';
import { MemberList } from '../speaker/members/member-list.js';

interface SpeakerFlags {
  node?: string;
  nodeName?: string;
  podName?: string;
  namespace?: string;
  host?: string;
  port: string;
  healthProbePort: string;
  healthHost: string;
  lbClass: string;
  ignoreExcludeLb: boolean;
  logLevel: LogLevel;
  kubeconfig?: string;
  mlBindaddr?: string;
  mlBindport?: string;
  mlLabels?: string;
  mlSecretKeyPath?: string;
  gossipProfile: SwimProfile;
  gossipConfig?: string;
  excludel2File: string;
  bgpListen: boolean;
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag}: "${text}" is not a port number`);
  return n;
}

/** MetalLB's `announcedInterfacesToExclude` file (ConfigMap metallb-excludel2); absent: MetalLB's default list. */
function excludedInterfaces(file: string): readonly string[] {
  if (!existsSync(file)) return defaultExcludedInterfaces;
  const doc = parseYaml(readFileSync(file, 'utf8')) as { announcedInterfacesToExclude?: unknown } | null;
  const list = doc?.announcedInterfacesToExclude;
  if (list === undefined) return [];
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new Error(`${file}: announcedInterfacesToExclude must be a list of regular expressions`);
  return list;
}

function swimConfig(flags: SpeakerFlags): SwimConfig {
  const base = swimProfiles[flags.gossipProfile]();
  const overrides = flags.gossipConfig === undefined ? {} : JSON.parse(readFileSync(flags.gossipConfig, 'utf8')) as Partial<SwimConfig>;
  const config = { ...base, ...overrides };
  const problems = validateSwimConfig(config);
  if (problems.length > 0) throw new Error(`--gossip-config: ${problems.join('; ')}`);
  return config;
}

function memberlistWiring(flags: SpeakerFlags, nodeName: string, logger: Logger, registry: Registry): MemberlistWiring | undefined {
  const env = process.env;
  const bind = flags.mlBindaddr ?? env['METALLB_ML_BIND_ADDR'] ?? '';
  const labels = flags.mlLabels ?? env['METALLB_ML_LABELS'] ?? '';
  if (bind === '' || labels === '') {
    logger.warn('memberlist disabled (METALLB_ML_BIND_ADDR and METALLB_ML_LABELS are needed): every Node counts as having a speaker');
    return undefined;
  }
  const gossipPort = port(flags.mlBindport ?? env['METALLB_ML_BIND_PORT'] ?? '7946', '--ml-bindport');
  const keyPath = flags.mlSecretKeyPath ?? env['METALLB_ML_SECRET_KEY_PATH'] ?? '';
  const keyFile = keyPath === '' ? undefined : join(keyPath, 'secretkey');
  const config = swimConfig(flags);
  return {
    labelSelector: labels, port: gossipPort, bindAddress: bind, secretName: env['METALLB_ML_SECRET_NAME'] ?? 'memberlist',
    secretFromFile: keyFile !== undefined && existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined,
    create: async (secret) => new MemberList({
      name: nodeName, transport: await openGossipTransport({ ip: bind, port: gossipPort }), config, logger, registry,
      ...(secret === undefined ? {} : { secret }),
    }),
  };
}

async function runSpeaker(flags: SpeakerFlags): Promise<void> {
  const env = process.env;
  const nodeName = flags.node ?? flags.nodeName ?? env['METALLB_NODE_NAME'] ?? '';
  if (nodeName === '') throw new Error('must specify --node or METALLB_NODE_NAME');
  const logger = createLogger({ level: flags.logLevel, name: 'speaker' }).child({ node: nodeName });
  if ((env['METALLB_BGP_TYPE'] ?? 'native') !== 'native') logger.warn({ bgpType: env['METALLB_BGP_TYPE'] }, 'metallb-ts always uses its own BGP speaker (METALLB_BGP_TYPE ignored)');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const announcer = new Announcer({ io: nativeLayer2Io(), clock: systemClock, logger, registry, excludeInterfaces: excludedInterfaces(flags.excludel2File) });
  await announcer.start();
  const acceptor = flags.bgpListen ? await TcpBgpAcceptor.listen().catch((err: unknown) => {
    logger.warn({ err: errorMessage(err) }, 'not listening for BGP connections (sessions are still dialled)');
    return undefined;
  }) : undefined;
  // The node's addresses come from its Node object, known once the runtime's caches run.
  const late: { runtime?: SpeakerRuntime } = {};
  const nodeAddresses = (): { IPv4?: string; IPv6?: string } => {
    const ips = late.runtime?.cache.nodes().find((n) => n.name === nodeName)?.internalIps ?? [];
    const v4 = ips.find((ip) => !ip.includes(':')) ?? (env['METALLB_HOST']?.includes(':') === false ? env['METALLB_HOST'] : undefined);
    const v6 = ips.find((ip) => ip.includes(':'));
    return { ...(v4 === undefined ? {} : { IPv4: v4 }), ...(v6 === undefined ? {} : { IPv6: v6 }) };
  };
  const bfd = new BfdSessions({ transports: new BfdUdpTransportFactory(), clock: systemClock, logger, metrics: new BfdMetrics(registry) });
  const bgp = new BgpSessions({
    dialer: new TcpBgpDialer(), ...(acceptor === undefined ? {} : { acceptor }), clock: systemClock, logger,
    metrics: new BgpMetrics(registry), nodeAddresses, fallbackRouterId: routerIdFromNodeName(nodeName), linkLocalFor, restarting: true, bfd,
    vrfExists: (vrf) => netDeviceExists(vrf),
  });
  const memberlist = memberlistWiring(flags, nodeName, logger, registry);
  const metricsPort = port(flags.port, '--port');
  const healthPort = port(flags.healthProbePort, '--health-probe-port');
  const runtime = new SpeakerRuntime({
    kubeConfig: loadKubeConfig({ kubeconfig: flags.kubeconfig }), namespace: flags.namespace ?? env['METALLB_NAMESPACE'] ?? podNamespace() ?? 'metallb-system',
    nodeName, podName: flags.podName ?? env['METALLB_POD_NAME'], loadBalancerClass: flags.lbClass, ignoreExcludeLabel: flags.ignoreExcludeLb,
    ...(memberlist === undefined ? {} : { memberlist }), announcer, bgp, registry, clock: systemClock, logger,
    ...(metricsPort === 0 ? {} : { metricsEndpoint: { host: flags.host ?? env['METALLB_HOST'] ?? '0.0.0.0', port: metricsPort } }),
    ...(healthPort === 0 ? {} : { healthEndpoint: { host: flags.healthHost, port: healthPort } }),
  });
  late.runtime = runtime;
  const r = runtime;
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'starting shutdown');
    r.stop().then(() => { bfd.close(); return acceptor?.close(); }).then(() => {
      logger.info('stopped');
      process.exit(0);
    }, (err: unknown) => {
      logger.error({ err: errorMessage(err) }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await runtime.start();
}

export function registerSpeaker(program: Command): void {
  program
    .command('speaker')
    .description('announce Service IPs from this node over layer 2 and BGP (the MetalLB speaker)')
    .option('--node <name>', 'this node\'s name (spec.nodeName; default $METALLB_NODE_NAME)')
    .option('--node-name <name>', 'MetalLB\'s name for --node')
    .option('--pod-name <name>', 'this speaker Pod (default $METALLB_POD_NAME)')
    .option('--namespace <ns>', 'the MetalLB namespace (default: $METALLB_NAMESPACE, the pod namespace, metallb-system)')
    .option('--host <address>', 'address the metrics endpoint listens on (default $METALLB_HOST, else all)')
    .option('--port <port>', 'metrics port (0 disables)', '9120')
    .option('--health-probe-port <port>', 'health probe port (0 disables)', '17472')
    .option('--health-host <address>', 'address the health endpoint listens on', '127.0.0.1')
    .option('--lb-class <class>', 'handle only Services of this loadBalancerClass ("" = Services without a class)', '')
    .option('--ignore-exclude-lb', 'ignore the node.kubernetes.io/exclude-from-external-load-balancers label', false)
    .addOption(new Option('--log-level <level>', 'log level').choices(logLevels).default('info'))
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--ml-bindaddr <ip>', 'gossip address (default $METALLB_ML_BIND_ADDR; memberlist is off without it)')
    .option('--ml-bindport <port>', 'gossip port, UDP and TCP (default $METALLB_ML_BIND_PORT, else 7946)')
    .option('--ml-labels <selector>', 'label selector of the speaker Pods to join (default $METALLB_ML_LABELS)')
    .option('--ml-secret-key-path <dir>', 'directory holding the memberlist secretkey (default $METALLB_ML_SECRET_KEY_PATH)')
    .addOption(new Option('--gossip-profile <profile>', 'gossip timing profile (docs/gossip.md)').choices(Object.keys(swimProfiles)).default('lan'))
    .option('--gossip-config <file>', 'JSON file overriding gossip settings of the profile (SwimConfig fields)')
    .option('--excludel2-file <file>', 'announcedInterfacesToExclude file (ConfigMap metallb-excludel2)', '/etc/metallb/excludel2.yaml')
    .option('--no-bgp-listen', 'do not accept incoming BGP connections on port 179 (sessions are still dialled)')
    .action((flags: SpeakerFlags) => runSpeaker(flags));
}
