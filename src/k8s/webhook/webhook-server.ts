/**
 * The HTTPS server the API server calls: validating admission at MetalLB's paths (one handler; the review names
 * its kind), the namespace-only check, and BGPPeer conversion at `/convert`. Certificates come from the
 * rotator through `serve()`: the first call starts listening, later calls swap the TLS context in place, so a
 * renewal drops no connection.
 *
 * It never answers with an error when it merely could not look: when listing the existing objects fails the
 * change is allowed with a warning that says so (the controller checks the configuration anyway and keeps its
 * last valid one), the same outcome as the `Ignore` failure policy the manifests use.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AdmissionInput, type AdmissionDecision, admissionInputs, decideAdmission } from '../../config/admission.js';
import type { ClusterResources } from '../../config/resources.js';
import { admissionEndpoints, conversionPath, namespaceEndpoint, webhookNames, webhookPort } from '../../api/webhook-endpoints.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { admissionResponse, parseAdmissionReview } from './admission-review.js';
import { type WebhookCertData, certSecretKeys } from './cert-plan.js';
import { handleConversionReview } from './conversion-review.js';

/** Lists the existing objects a decision reads: metallb.io kinds in the MetalLB namespace, Nodes cluster-wide. */
export interface AdmissionReader {
  list(input: AdmissionInput): Promise<readonly unknown[]>;
}

export interface WebhookServerOptions {
  readonly namespace: string;
  readonly reader: AdmissionReader;
  readonly log: Logger;
  /** Default 9443; 0 picks a free port (tests). */
  readonly port?: number;
  /** Default all interfaces. */
  readonly host?: string;
  /** Counts requests (`WebhookMetrics`); only paths we serve are labels, others count as "other". */
  readonly metrics?: { begin(path: string): (code: number) => void };
}

export interface WebhookReply {
  readonly httpCode: number;
  readonly body: object;
}

const maxBodyBytes = 4 * 1024 * 1024;
const admissionPaths = new Set([...admissionEndpoints.map((e) => e.path), namespaceEndpoint.path]);

const untrustedHint = `the API server does not trust this certificate: the caBundle of ValidatingWebhookConfiguration ${webhookNames.configuration} ` +
  `and of CRD bgppeers.metallb.io must hold ca.crt of Secret ${webhookNames.certSecret} (the controller rewrites them every minute; check its log)`;

export class WebhookServer {
  private readonly options: WebhookServerOptions;
  private server: Server | undefined;
  private listening = false;

  constructor(options: WebhookServerOptions) {
    this.options = options;
  }

  /** True once the server answers with certificates (the controller's readiness). */
  get serving(): boolean {
    return this.listening;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Serves `certs`: starts listening on the first call, swaps the TLS context afterwards. */
  async serve(certs: WebhookCertData): Promise<void> {
    const tls = { cert: certs[certSecretKeys.tlsCert], key: certs[certSecretKeys.tlsKey] };
    if (this.server !== undefined) {
      this.server.setSecureContext(tls);
      return;
    }
    const server = createServer({ ...tls, minVersion: 'TLSv1.2' }, (req, res) => this.onRequest(req, res));
    server.requestTimeout = 10_000;
    server.headersTimeout = 5_000;
    server.on('tlsClientError', (err) => {
      const untrusted = /alert (bad certificate|unknown ca)|alert number (42|48)/i.test(err.message);
      this.options.log.warn({ err: err.message }, untrusted ? `webhook TLS handshake failed: ${untrustedHint}` : 'webhook TLS handshake failed');
    });
    this.server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port ?? webhookPort, this.options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      // Not listening (port taken): the next serve() tries again from scratch.
      this.server = undefined;
      throw err;
    }
    this.listening = true;
    this.options.log.info({ port: this.port }, 'webhook server serving');
  }

  async close(): Promise<void> {
    const server = this.server;
    this.listening = false;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'https://webhook').pathname;
    const done = this.options.metrics?.begin(path === conversionPath || admissionPaths.has(path) ? path : 'other');
    readBody(req).then((body) => this.handle(req.method ?? '', path, body))
      .catch((err: unknown) => ({ httpCode: 400, body: { message: errorMessage(err) } }))
      .then((reply) => {
        const text = JSON.stringify(reply.body);
        res.writeHead(reply.httpCode, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        done?.(reply.httpCode);
      }, (err: unknown) => {
        this.options.log.error({ err: errorMessage(err) }, 'webhook request failed');
        res.destroy();
        done?.(500);
      });
  }

  /** One request, TLS aside (tests call it directly too). */
  async handle(method: string, path: string, body: string): Promise<WebhookReply> {
    if (path !== conversionPath && !admissionPaths.has(path)) return { httpCode: 404, body: { message: `no webhook at ${path}` } };
    if (method !== 'POST') return { httpCode: 405, body: { message: 'webhooks take POST' } };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { httpCode: 400, body: { message: 'the body is not JSON' } };
    }
    return path === conversionPath ? handleConversionReview(parsed) : this.admit(parsed);
  }

  private async admit(body: unknown): Promise<WebhookReply> {
    const review = parseAdmissionReview(body);
    if ('error' in review) return { httpCode: 400, body: { message: review.error } };
    const { request } = review;
    const options = { namespace: this.options.namespace };
    let decision: AdmissionDecision;
    try {
      const inputs = admissionInputs(request, options);
      const lists = await Promise.all(inputs.map((input) => this.options.reader.list(input)));
      const existing: Partial<Record<keyof ClusterResources, readonly unknown[]>> = {};
      inputs.forEach((input, i) => { existing[input] = lists[i] ?? []; });
      decision = decideAdmission(request, existing as never, options);
    } catch (err) {
      decision = { allowed: true, warnings: [`metallb-ts could not check this change (${errorMessage(err)}); ` +
        'the controller still checks the configuration: see ConfigurationState/controller'] };
    }
    const fields = { kind: request.kind, name: request.name, namespace: request.namespace, operation: request.operation };
    if (decision.allowed) this.options.log.debug(fields, 'admitted');
    else this.options.log.info({ ...fields, reason: decision.reason, message: decision.message }, 'denied');
    return { httpCode: 200, body: admissionResponse(review.uid, decision) };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error(`request body over ${maxBodyBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
