/**
 * A small plain-HTTP server for the metrics (9120) and health (17472) endpoints. MetalLB serves metrics
 * over HTTPS with authn/authz; metallb-ts serves plain HTTP by default (DESIGN.md), on the same ports.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpAnswer {
  readonly code: number;
  readonly contentType: string;
  readonly body: string;
}

export type Route = () => HttpAnswer | Promise<HttpAnswer>;

export interface HttpEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

export async function serveHttp(options: { host: string; port: number; routes: Readonly<Record<string, Route>> }): Promise<HttpEndpoint> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = options.routes[path];
    const answer = route === undefined ? Promise.resolve({ code: 404, contentType: 'text/plain', body: 'not found\n' }) : Promise.resolve().then(route);
    answer.then((a) => {
      res.writeHead(a.code, { 'Content-Type': a.contentType, 'Content-Length': Buffer.byteLength(a.body) });
      res.end(a.body);
    }, (err: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export function textAnswer(code: number, body: string): HttpAnswer {
  return { code, contentType: 'text/plain; charset=utf-8', body };
}
