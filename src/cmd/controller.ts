/**
 * `metallb-ts controller`: flags and environment as MetalLB's controller where they apply
 * (metallb-behaviour.md §8), plus leader election for running several replicas. Wiring only.
 */
import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import { ControllerRuntime } from '../k8s/controller-runtime.js';
import { loadKubeConfig, podNamespace } from '../k8s/kube-config.js';
import { systemClock } from '../lib/clock.js';
import { createLogger, logLevels, type LogLevel } from '../lib/logger.js';

interface ControllerFlags {
  namespace?: string;
  lbClass: string;
  logLevel: LogLevel;
  port: string;
  healthProbePort: string;
  host: string;
  kubeconfig?: string;
  leaderElect: boolean;
  leaseDuration: string;
  leaseName: string;
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag}: "${text}" is not a port number`);
  return n;
}

async function runController(flags: ControllerFlags): Promise<void> {
  const env = process.env;
  const logger = createLogger({ level: flags.logLevel, name: 'controller' });
  const leaseDurationSec = Number(flags.leaseDuration);
  if (!Number.isFinite(leaseDurationSec) || leaseDurationSec < 1) throw new Error(`--lease-duration: "${flags.leaseDuration}" must be at least 1 second`);
  const runtime = new ControllerRuntime({
    kubeConfig: loadKubeConfig({ kubeconfig: flags.kubeconfig }),
    namespace: flags.namespace ?? env['METALLB_NAMESPACE'] ?? podNamespace() ?? 'metallb-system',
    loadBalancerClass: flags.lbClass,
    identity: env['METALLB_POD_NAME'] ?? hostname(),
    memberlistSecretName: env['METALLB_ML_SECRET_NAME'] ?? 'memberlist',
    ...(flags.leaderElect ? { leaderElection: { leaseName: flags.leaseName, leaseDurationMs: leaseDurationSec * 1000 } } : {}),
    ...(port(flags.port, '--port') === 0 ? {} : { metrics: { host: flags.host, port: port(flags.port, '--port') } }),
    ...(port(flags.healthProbePort, '--health-probe-port') === 0 ? {} : { health: { host: flags.host, port: port(flags.healthProbePort, '--health-probe-port') } }),
    clock: systemClock,
    logger,
  });
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    runtime.stop().then(() => process.exit(0), (err: unknown) => {
      logger.error({ err: String(err) }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await runtime.start();
  logger.info({ endpoints: runtime.endpointPorts() }, 'controller started');
}

export function registerController(program: Command): void {
  program
    .command('controller')
    .description('assign IPs to LoadBalancer Services (the MetalLB controller)')
    .option('--namespace <ns>', 'the MetalLB namespace (default: $METALLB_NAMESPACE, the pod namespace, metallb-system)')
    .option('--lb-class <class>', 'handle only Services of this loadBalancerClass ("" = Services without a class)', '')
    .addOption(new Option('--log-level <level>', 'log level').choices(logLevels).default('info'))
    .option('--port <port>', 'metrics port (0 disables)', '9120')
    .option('--health-probe-port <port>', 'health probe port (0 disables)', '17472')
    .option('--host <address>', 'address the metrics and health endpoints listen on', '0.0.0.0')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--no-leader-elect', 'run without a Lease, as the only replica (MetalLB\'s way)')
    .option('--lease-duration <seconds>', 'leader lease duration: the longest a dead leader is not replaced', '15')
    .option('--lease-name <name>', 'name of the Lease in the MetalLB namespace', 'metallb-controller')
    .action((flags: ControllerFlags) => runController(flags));
}
