/**
 * `metallb-ts controller`: flags and environment as MetalLB's controller where they apply
 * (metallb-behaviour.md §8), plus leader election for running several replicas. Wiring only.
 */
import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ControllerRuntime } from '../k8s/controller-runtime.js';
import { serveHttp, textAnswer, type HttpEndpoint } from '../k8s/http-endpoint.js';
import { WebhookRunner } from '../k8s/webhook/webhook-runner.js';
import { loadKubeConfig, podNamespace } from '../k8s/kube-config.js';
import { systemClock } from '../lib/clock.js';
import { createLogger, logLevels, type Logger, type LogLevel } from '../lib/logger.js';

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
  webhookMode: 'enabled' | 'disabled' | 'onlywebhook';
  webhookPort: string;
  disableCertRotation?: boolean;
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
  const kubeConfig = loadKubeConfig({ kubeconfig: flags.kubeconfig });
  const namespace = flags.namespace ?? env['METALLB_NAMESPACE'] ?? podNamespace() ?? 'metallb-system';
  const metricsPort = port(flags.port, '--port');
  const healthPort = port(flags.healthProbePort, '--health-probe-port');
  const webhookOptions = {
    kubeConfig, namespace, clock: systemClock, logger, port: port(flags.webhookPort, '--webhook-port'),
    externallyManagedCerts: flags.disableCertRotation === true,
  };
  if (flags.webhookMode === 'onlywebhook') {
    await runWebhookOnly(new WebhookRunner({ ...webhookOptions, registry: defaultRegistry() }), flags.host, metricsPort, healthPort, logger);
    return;
  }
  const hooks: { webhook?: WebhookRunner } = {};
  const runtime = new ControllerRuntime({
    kubeConfig,
    namespace,
    loadBalancerClass: flags.lbClass,
    identity: env['METALLB_POD_NAME'] ?? hostname(),
    memberlistSecretName: env['METALLB_ML_SECRET_NAME'] ?? 'memberlist',
    ...(flags.leaderElect ? { leaderElection: { leaseName: flags.leaseName, leaseDurationMs: leaseDurationSec * 1000 } } : {}),
    ...(metricsPort === 0 ? {} : { metrics: { host: flags.host, port: metricsPort } }),
    ...(healthPort === 0 ? {} : { health: { host: flags.host, port: healthPort } }),
    clock: systemClock,
    logger,
    ...(flags.webhookMode === 'disabled' ? {} : { readyChecks: [{ notReady: 'webhook not serving yet', ready: () => hooks.webhook?.ready() === true }] }),
  });
  // Every replica serves the webhook (not only the leader); ready means it serves (docs/deploy.md).
  const webhook = flags.webhookMode === 'disabled' ? undefined : new WebhookRunner({ ...webhookOptions, registry: runtime.metrics.registry });
  if (webhook !== undefined) hooks.webhook = webhook;
  onSignals(logger, () => Promise.all([runtime.stop(), webhook?.stop()]));
  await Promise.all([runtime.start(), webhook?.start()]);
  logger.info({ endpoints: runtime.endpointPorts() }, 'controller started');
}

function defaultRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** MetalLB's `--webhook-mode onlywebhook`: the webhooks, their metrics and health, no controller. */
async function runWebhookOnly(webhook: WebhookRunner, host: string, metricsPort: number, healthPort: number, logger: Logger): Promise<void> {
  const endpoints: HttpEndpoint[] = [];
  onSignals(logger, async () => {
    await webhook.stop();
    await Promise.all(endpoints.map((e) => e.close()));
  });
  const registry = webhook.registry;
  if (metricsPort !== 0 && registry !== undefined) {
    endpoints.push(await serveHttp({ host, port: metricsPort, routes: {
      '/metrics': async () => ({ code: 200, contentType: registry.contentType, body: await registry.metrics() }),
    } }));
  }
  if (healthPort !== 0) {
    endpoints.push(await serveHttp({ host, port: healthPort, routes: {
      '/healthz': () => textAnswer(200, 'ok\n'),
      '/readyz': () => (webhook.ready() ? textAnswer(200, 'ok\n') : textAnswer(503, 'webhook not serving yet\n')),
    } }));
  }
  await webhook.start();
  logger.info({ endpoints: endpoints.map((e) => e.port) }, 'webhook started (onlywebhook: no controller)');
}

function onSignals(logger: Logger, stop: () => Promise<unknown>): void {
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    stop().then(() => process.exit(0), (err: unknown) => {
      logger.error({ err: String(err) }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
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
    .addOption(new Option('--webhook-mode <mode>', 'serve the admission and conversion webhooks (onlywebhook: those alone, no controller)').choices(['enabled', 'disabled', 'onlywebhook']).default('enabled'))
    .option('--webhook-port <port>', 'webhook HTTPS port (0 picks a free one)', '9443')
    .option('--disable-cert-rotation', 'serve the webhook certificate Secret as it is and write no caBundle (certificates managed elsewhere, e.g. cert-manager)')
    .action((flags: ControllerFlags) => runController(flags));
}
