/**
 * The API server an API-integration test talks to: the in-process test API server by default, or a real
 * kube-apiserver when K8S_URL is set (K8S_TOKEN for a bearer token; TLS verification is skipped). Tests
 * that need fault hooks or the request log take them from `server`, which is undefined against a real server.
 */
import * as k8s from '@kubernetes/client-node';
import { start, type ApiServer, type ApiServerOptions } from '../../src/lab/apiserver/index.js';

export interface TestApi {
  readonly url: string;
  /** The in-process server, or undefined when K8S_URL points at a real one. */
  readonly server: ApiServer | undefined;
  /** A KubeConfig for `user` (a bearer token on the test server; K8S_TOKEN on a real one). */
  kubeConfig(user?: string): k8s.KubeConfig;
  close(): Promise<void>;
}

export function isRealServer(): boolean {
  return (process.env['K8S_URL'] ?? '') !== '';
}

export async function startTestApi(options: ApiServerOptions = {}): Promise<TestApi> {
  const real = process.env['K8S_URL'];
  if (real !== undefined && real !== '') {
    const token = process.env['K8S_TOKEN'] ?? '';
    return {
      url: real, server: undefined,
      kubeConfig: () => {
        const kc = new k8s.KubeConfig();
        kc.loadFromOptions({
          clusters: [{ name: 'real', server: real, skipTLSVerify: true }],
          users: [{ name: 'user', ...(token === '' ? {} : { token }) }],
          contexts: [{ name: 'real', cluster: 'real', user: 'user' }],
          currentContext: 'real',
        });
        return kc;
      },
      close: async () => {},
    };
  }
  const server = await start(options);
  return {
    url: server.url, server,
    kubeConfig: (user = 'test') => {
      const kc = new k8s.KubeConfig();
      kc.loadFromOptions(server.kubeconfig(user));
      return kc;
    },
    close: () => server.close(),
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The HTTP status of a failed client-node call (ApiException.code), or undefined. */
export function httpCode(err: unknown): number | undefined {
  return err instanceof k8s.ApiException ? (err.code as number) : undefined;
}

/** The `reason` of the Status body of a failed call. */
export function statusReason(err: unknown): string | undefined {
  if (!(err instanceof k8s.ApiException)) return undefined;
  const body: unknown = err.body;
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { reason?: string };
    return parsed.reason;
  } catch {
    return undefined;
  }
}

/** Runs `fn` and returns the ApiException code it failed with (assertion error when it did not fail). */
export async function failsWith(fn: () => Promise<unknown>): Promise<{ code: number | undefined; reason: string | undefined }> {
  try {
    await fn();
  } catch (err) {
    return { code: httpCode(err), reason: statusReason(err) };
  }
  throw new Error('expected the call to fail, and it succeeded');
}

let counter = 0;
/** A name unique within this process run (tests against a real server share it with others). */
export function uniqueName(prefix: string): string {
  counter++;
  return `${prefix}-${process.pid.toString(36)}-${counter.toString(36)}`;
}
