/**
 * The webhook's metrics, with controller-runtime's names (MetalLB's webhooks run in controller-runtime, so
 * dashboards that watch them keep working): requests by path and HTTP code, latency, requests in flight.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class WebhookMetrics {
  private readonly requests: Counter<'webhook' | 'code'>;
  private readonly latency: Histogram<'webhook'>;
  private readonly inFlight: Gauge<'webhook'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'controller_runtime_webhook_requests_total', help: 'Total number of admission and conversion requests by HTTP status code.',
      labelNames: ['webhook', 'code'], registers,
    });
    this.latency = new Histogram({
      name: 'controller_runtime_webhook_latency_seconds', help: 'Histogram of the latency of processing admission and conversion requests.',
      labelNames: ['webhook'], registers,
    });
    this.inFlight = new Gauge({
      name: 'controller_runtime_webhook_requests_in_flight', help: 'Current number of admission and conversion requests being served.',
      labelNames: ['webhook'], registers,
    });
  }

  /** A request to `path` starts; call the result with its HTTP code when it is answered. */
  begin(path: string): (code: number) => void {
    const started = process.hrtime.bigint();
    this.inFlight.inc({ webhook: path });
    return (code) => {
      this.inFlight.dec({ webhook: path });
      this.requests.inc({ webhook: path, code: String(code) });
      this.latency.observe({ webhook: path }, Number(process.hrtime.bigint() - started) / 1e9);
    };
  }
}
