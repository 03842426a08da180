/**
 * The webhook as the controller runs it: the HTTPS server, fed certificates by the rotator, which keeps the
 * Secret and the caBundles over client-node. Every controller replica runs one (not only the leader), so the
 * webhook survives a leader change. `ready()` is part of the controller's readiness: the webhook Service sends
 * the API server's calls only to replicas that serve.
 */
import type * as k8s from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { webhookNames, webhookPort } from '../../api/webhook-endpoints.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { apiAdmissionReader, conversionWebhookTarget, secretCertStore, webhookConfigurationTarget } from './api-adapters.js';
import type { CertPolicy } from './cert-plan.js';
import { CertRotator } from './cert-rotator.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { WebhookServer } from './webhook-server.js';

export interface WebhookRunnerOptions {
  readonly kubeConfig: k8s.KubeConfig;
  /** The MetalLB namespace: where the Secret and the Service are, and the only namespace objects may be in. */
  readonly namespace: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Default 9443; 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly checkIntervalMs?: number;
  readonly policy?: CertPolicy;
  /** Serve the Secret as it is; never write it or a caBundle (`--disable-cert-rotation`, e.g. with cert-manager). */
  readonly externallyManagedCerts?: boolean;
  /** Where the webhook's request metrics go (controller-runtime's names); none when undefined. */
  readonly registry?: Registry;
}

export class WebhookRunner {
  readonly server: WebhookServer;
  readonly rotator: CertRotator;
  /** Where its metrics are (the registry it was given). */
  readonly registry: Registry | undefined;

  constructor(options: WebhookRunnerOptions) {
    const { kubeConfig: kc, namespace } = options;
    const log = options.logger.child({ component: 'webhook' });
    this.registry = options.registry;
    this.server = new WebhookServer({
      namespace, reader: apiAdmissionReader(kc, namespace), log, port: options.port ?? webhookPort,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.registry === undefined ? {} : { metrics: new WebhookMetrics(options.registry) }),
    });
    this.rotator = new CertRotator({
      store: secretCertStore(kc, namespace),
      targets: [webhookConfigurationTarget(kc, namespace), conversionWebhookTarget(kc)],
      identity: { serviceName: webhookNames.service, namespace },
      serve: (certs) => this.server.serve(certs),
      clock: options.clock,
      log,
      ...(options.checkIntervalMs === undefined ? {} : { checkIntervalMs: options.checkIntervalMs }),
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      externallyManaged: options.externallyManagedCerts === true,
    });
  }

  /** Resolves after the first certificate check (serving, unless it failed: then it retries every interval). */
  start(): Promise<void> {
    return this.rotator.start();
  }

  ready(): boolean {
    return this.server.serving;
  }

  async stop(): Promise<void> {
    this.rotator.close();
    await this.server.close();
  }
}
