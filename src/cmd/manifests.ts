// `metallb-ts manifests [options]`: prints the install (CRDs, RBAC, controller, speaker, webhook) as YAML for
// `kubectl apply -f -`. With no options it prints deploy/metallb-ts.yaml.
import { InvalidArgumentError, type Command } from 'commander';
import { type FailurePolicy, type InstallOptions, type PullPolicy, defaultInstallOptions } from '../deploy/install-options.js';
import { installYaml } from '../deploy/manifests.js';
import { type LogLevel, logLevels } from '../lib/logger.js';
import { packageVersion } from './version.js';

export function manifestsHeader(version: string): string {
  return `# metallb-ts ${version}: the whole install, rendered by \`metallb-ts manifests\` (docs/deploy.md).\n` +
    '# Install with: metallb-ts manifests | kubectl apply -f -   (or kubectl apply -f deploy/metallb-ts.yaml)\n';
}

function oneOf<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    return value as T;
  };
}

function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

function dnsLabel(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)) throw new InvalidArgumentError('expected a namespace name (RFC 1123 label)');
  return value;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

interface Flags {
  namespace: string;
  image: string;
  imagePullPolicy: PullPolicy;
  logLevel: LogLevel;
  lbClass?: string;
  controllerReplicas: number;
  webhookFailurePolicy: FailurePolicy;
  webhookTimeoutSeconds: number;
  excludeInterface?: string[];
}

export function registerManifests(program: Command): void {
  const d = defaultInstallOptions(packageVersion());
  program
    .command('manifests')
    .description('print the Kubernetes manifests that install metallb-ts (pipe into kubectl apply -f -)')
    .option('-n, --namespace <name>', 'the MetalLB namespace', dnsLabel, d.namespace)
    .option('--image <ref>', 'the metallb-ts container image (both components)', d.image)
    .option('--image-pull-policy <policy>', 'Always, IfNotPresent or Never', oneOf<PullPolicy>(['Always', 'IfNotPresent', 'Never']), d.imagePullPolicy)
    .option('--log-level <level>', `${logLevels.join(', ')}`, oneOf<LogLevel>(logLevels), d.logLevel)
    .option('--lb-class <class>', 'serve only Services with this spec.loadBalancerClass')
    .option('--controller-replicas <n>', 'controller replicas (one allocates, all serve the webhook)', integer(1, 10), d.controllerReplicas)
    .option('--webhook-failure-policy <policy>', 'Ignore (a webhook that is down never blocks writes) or Fail',
      oneOf<FailurePolicy>(['Ignore', 'Fail']), d.webhookFailurePolicy)
    .option('--webhook-timeout-seconds <s>', 'how long the API server waits for the webhook', integer(1, 30), d.webhookTimeoutSeconds)
    .option('--exclude-interface <regexp>', 'an interface layer 2 never answers on (repeatable; replaces MetalLB\'s default list)', collect)
    .action((flags: Flags) => {
      const options: InstallOptions = {
        ...d,
        namespace: flags.namespace, image: flags.image, imagePullPolicy: flags.imagePullPolicy, logLevel: flags.logLevel,
        lbClass: flags.lbClass, controllerReplicas: flags.controllerReplicas,
        webhookFailurePolicy: flags.webhookFailurePolicy, webhookTimeoutSeconds: flags.webhookTimeoutSeconds,
        excludeInterfaces: flags.excludeInterface ?? d.excludeInterfaces,
      };
      // `metallb-ts manifests | head` closes the pipe early: that is not an error.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
      });
      process.stdout.write(installYaml(options, manifestsHeader(packageVersion())));
    });
}
