/**
 * Keeps the webhook's certificates valid (MetalLB uses open-policy-agent/cert-controller for this, §8): on every
 * check it reads the Secret, renews what `checkCertificates` asks for (any replica may; the Secret's
 * resourceVersion decides a race and the loser adopts the winner's certificates), hands the certificates to the
 * server, and only once the server serves them writes the CA bundle into the webhook configurations, so the API
 * server is never told to trust a CA before a replica answers with a certificate from it.
 */
import type { Clock, Timer } from '../../lib/clock.js';
import { MetallbError, errorCode, errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { type CertCheck, type CertPolicy, type WebhookCertData, certSecretKeys, checkCertificates, defaultCertPolicy, renewCertificates } from './cert-plan.js';
import type { ServerIdentity } from './certificates.js';

/** The Secret, with its values decoded (PEM text). */
export interface StoredCerts {
  readonly data: Partial<Record<string, string>>;
  readonly resourceVersion: string;
}

/** Where the certificates live. `create`/`replace` throw an error with code `ERR_CONFLICT` when they lose a race. */
export interface CertStore {
  read(): Promise<StoredCerts | undefined>;
  create(data: WebhookCertData): Promise<void>;
  replace(data: WebhookCertData, resourceVersion: string): Promise<void>;
}

/** A webhook configuration (or CRD conversion webhook) that must trust the CA bundle. */
export interface CaBundleTarget {
  readonly name: string;
  /** Writes the bundle if it differs; returns true when it wrote. */
  ensure(caBundlePem: string): Promise<boolean>;
}

export interface CertRotatorOptions {
  readonly store: CertStore;
  readonly targets: readonly CaBundleTarget[];
  readonly identity: ServerIdentity;
  /** Serves the certificates; resolves once the server answers with them. */
  readonly serve: (certs: WebhookCertData) => Promise<void>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly policy?: CertPolicy;
  /** Default 60 s: how soon a replica picks up certificates another replica renewed, and repairs a caBundle. */
  readonly checkIntervalMs?: number;
  /**
   * Certificates are managed elsewhere (cert-manager and its CA injector; MetalLB's `--disable-cert-rotation`):
   * only read the Secret and serve it, never write the Secret or a caBundle.
   */
  readonly externallyManaged?: boolean;
}

export const conflictCode = 'ERR_CONFLICT';

export class CertRotator {
  private readonly options: CertRotatorOptions;
  private readonly policy: CertPolicy;
  private served: string | undefined;
  private bundleWritten = new Map<string, string>();
  private timer: Timer | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(options: CertRotatorOptions) {
    this.options = options;
    this.policy = options.policy ?? defaultCertPolicy;
  }

  /**
   * Runs one check now, then every `checkIntervalMs` until `close()`. Resolves after the first check; a failed
   * first check (API server unreachable, RBAC) is logged and retried at the next one.
   */
  async start(): Promise<void> {
    await this.tick().catch((err: unknown) => this.options.log.error({ err: errorMessage(err) }, 'webhook certificate check failed'));
    this.schedule();
  }

  close(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimer(this.options.checkIntervalMs ?? 60_000, () => {
      this.tick().catch((err: unknown) => this.options.log.error({ err: errorMessage(err) }, 'webhook certificate check failed'))
        .finally(() => this.schedule());
    });
  }

  /** One check; concurrent calls share it. Throws when the Secret cannot be read or written. */
  tick(): Promise<void> {
    this.running ??= this.check().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async check(): Promise<void> {
    const certs = await this.currentCertificates();
    const fingerprint = certs[certSecretKeys.tlsCert] + certs[certSecretKeys.tlsKey];
    if (fingerprint !== this.served) {
      await this.options.serve(certs);
      this.served = fingerprint;
    }
    if (this.options.externallyManaged === true) return;
    const bundle = certs[certSecretKeys.caCert];
    for (const target of this.options.targets) {
      try {
        if (await target.ensure(bundle)) this.options.log.info({ target: target.name }, 'wrote the webhook CA bundle');
        this.bundleWritten.set(target.name, bundle);
      } catch (err) {
        // One missing target (a CRD not installed yet) must not keep the others from being patched.
        this.options.log.warn({ target: target.name, err: errorMessage(err) }, 'could not write the webhook CA bundle; retrying at the next check');
      }
    }
  }

  /** The CA bundle each target was last seen to hold (for readiness and tests). */
  caBundles(): ReadonlyMap<string, string> {
    return this.bundleWritten;
  }

  private async currentCertificates(): Promise<WebhookCertData> {
    if (this.options.externallyManaged === true) return this.externalCertificates();
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.options.store.read();
      const now = new Date(this.options.clock.wallMs());
      const check: CertCheck = checkCertificates(stored?.data, this.options.identity, now, this.policy);
      if (check.renew === 'nothing') return stored!.data as WebhookCertData;
      const renewed = await renewCertificates(stored?.data, check, this.options.identity, now, this.policy);
      try {
        if (stored === undefined) await this.options.store.create(renewed);
        else await this.options.store.replace(renewed, stored.resourceVersion);
        this.options.log.info({ renewed: check.renew, reason: check.reason }, 'renewed the webhook certificates');
        return renewed;
      } catch (err) {
        if (errorCode(err) !== conflictCode) throw err;
        // Another replica renewed first: read again and use what it wrote.
      }
    }
    throw new MetallbError('ERR_WEBHOOK_CERT_RACE', 'renewing the webhook certificates: the Secret kept changing under us (3 attempts)');
  }

  private async externalCertificates(): Promise<WebhookCertData> {
    const stored = await this.options.store.read();
    const tls = { cert: stored?.data[certSecretKeys.tlsCert], key: stored?.data[certSecretKeys.tlsKey] };
    if (!tls.cert || !tls.key) {
      throw new MetallbError('ERR_WEBHOOK_CERT_MISSING', 'the webhook certificate Secret has no tls.crt and tls.key yet (certificates are managed externally)');
    }
    const check = checkCertificates(stored!.data, this.options.identity, new Date(this.options.clock.wallMs()), this.policy);
    if (check.renew !== 'nothing') this.options.log.warn({ renew: check.renew, reason: check.reason }, 'the externally managed webhook certificate needs renewal');
    return { [certSecretKeys.caCert]: stored!.data[certSecretKeys.caCert] ?? '', [certSecretKeys.caKey]: '', [certSecretKeys.tlsCert]: tls.cert, [certSecretKeys.tlsKey]: tls.key };
  }
}
