/**
 * The test API server: a Kubernetes-API-compatible HTTP server in one Node process, for the API-integration
 * tests and the lab. The real `@kubernetes/client-node` talks to it over HTTP. What it does and where it
 * differs from a real kube-apiserver: docs/test-apiserver.md.
 *
 *   const api = await start({ port: 0 });
 *   kc.loadFromOptions(api.kubeconfig('controller'));   // token "controller" = user "controller"
 *   api.faults.inject({ verb: 'update', subresource: 'status', code: 409, times: 3 });
 *   await api.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify as toYaml } from 'yaml';
import { ApiError } from './api-error.js';
import { defaultCrdDir, loadCrdFiles, standInMetallbCrds } from './crd-files.js';
import { Faults, type DelayFault, type ErrorFault } from './faults.js';
import { Registry } from './registry.js';
import { handleResource, sendError, sendJson, type HandlerContext, type RequestRecord } from './request-handler.js';
import { ResourceApi, type Target } from './resource-api.js';
import { resolveRoute } from './route.js';
import { ObjectStore, type JsonObject } from './store.js';
import type { WatchStream } from './watch-stream.js';

export interface ApiServerOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Directory of CRD YAML files to register at start; default the package's deploy/crds (stand-ins if absent). */
  readonly crdDir?: string;
  /** Changes kept for watch replay (older re-watches get 410). Default 20,000. */
  readonly historySize?: number;
  /** How often a watch that allows bookmarks gets one. Default 60,000 ms. */
  readonly bookmarkIntervalMs?: number;
  /** Namespaces that exist from the start (default: default, kube-system, kube-public, kube-node-lease). */
  readonly namespaces?: readonly string[];
  /** Seed of the generator behind fault probabilities. */
  readonly seed?: number;
  /** Keep a log of requests for assertions (default true, capped at 200,000 entries). */
  readonly recordRequests?: boolean;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  readonly faults: Faults;
  /** Requests served so far (when recording), oldest first. */
  requests(): readonly RequestRecord[];
  clearRequests(): void;
  /** Called for every request once it is answered (or its watch started). */
  onRequest(listener: (r: RequestRecord) => void): () => void;
  /** Options for client-node's `KubeConfig.loadFromOptions`, authenticating as `user` (a bearer token). */
  kubeconfig(user?: string): KubeconfigOptions;
  /** The same as a kubeconfig YAML file (for kubectl and child processes). */
  kubeconfigYaml(user?: string): string;
  /** Number of open watch streams. */
  watchCount(): number;
  /**
   * Every committed change, synchronously, in order (ground truth for invariant checks: nothing is
   * missed, unlike a watch that may be dropped or compacted). `resource` is the plural, e.g. "services".
   */
  onChange(listener: (change: ObjectChange) => void): () => void;
  currentResourceVersion(): number;
  close(): Promise<void>;
}

export interface ObjectChange {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly group: string;
  readonly resource: string;
  readonly resourceVersion: number;
  /** The object after the change (for DELETED, as it was); do not modify. */
  readonly object: Readonly<Record<string, unknown>>;
}

export interface KubeconfigOptions {
  clusters: { name: string; server: string; skipTLSVerify: boolean }[];
  users: { name: string; token: string }[];
  contexts: { name: string; cluster: string; user: string; namespace?: string }[];
  currentContext: string;
}

const maxRecords = 200_000;

export async function start(options: ApiServerOptions = {}): Promise<ApiServer> {
  const registry = new Registry();
  const store = new ObjectStore(options.historySize ?? 20_000);
  const api = new ResourceApi(registry, store);
  const watches = new Set<WatchStream>();
  const faults = new Faults({
    dropWatches: (abrupt, match) => {
      const victims = [...watches].filter((w) => match === undefined || match(w.user, w.typeKey));
      for (const w of victims) w.close(abrupt);
      return victims.length;
    },
    compact: () => store.compact(),
  }, options.seed ?? 1);
  const records: RequestRecord[] = [];
  const listeners = new Set<(r: RequestRecord) => void>();
  const ctx: HandlerContext = {
    api, store, faults, bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    nowIso: () => new Date().toISOString(),
    addWatch: (w) => watches.add(w),
    removeWatch: (w) => watches.delete(w),
    record: (r) => {
      if (options.recordRequests !== false && records.length < maxRecords) records.push(r);
      for (const l of listeners) l(r);
    },
  };
  bootstrap(api, registry, options, ctx.nowIso());
  const server = createServer((req, res) => {
    handle(ctx, registry, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, new ApiError(500, 'InternalError', `test apiserver: ${(err as Error).message}`));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  return serverHandle(server, ctx, records, listeners, watches, options.host ?? '127.0.0.1');
}

function bootstrap(api: ResourceApi, registry: Registry, options: ApiServerOptions, nowIso: string): void {
  const target = (group: string, plural: string): Target => {
    const type = registry.find(group, 'v1', plural);
    if (type === undefined) throw new Error(`test apiserver: no built-in ${plural}`);
    return { type, version: 'v1', namespace: undefined };
  };
  for (const name of options.namespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    api.create(target('', 'namespaces'), { metadata: { name } }, nowIso);
  }
  const fromFiles = loadCrdFiles(options.crdDir ?? defaultCrdDir());
  for (const crd of fromFiles.length > 0 ? fromFiles : standInMetallbCrds()) {
    api.create(target('apiextensions.k8s.io', 'customresourcedefinitions'), crd, nowIso);
  }
}

async function handle(ctx: HandlerContext, registry: Registry, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = resolveRoute(url.pathname, registry);
  const notFound = (): void => sendError(res, new ApiError(404, 'NotFound', 'the server could not find the requested resource'));
  switch (route.kind) {
    case 'version': return sendJson(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0-metallb-ts-test', platform: 'linux/amd64' });
    case 'health': res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); return;
    case 'apiVersions': return sendJson(res, 200, registry.apiVersions());
    case 'groupList': return sendJson(res, 200, registry.apiGroupList());
    case 'group': { const g = registry.apiGroup(route.group); return g === undefined ? notFound() : sendJson(res, 200, g); }
    case 'resourceList': {
      const l = registry.apiResourceList(route.group, route.version);
      return l === undefined ? notFound() : sendJson(res, 200, l);
    }
    case 'admin': return handleAdmin(ctx, req, res, route.action, url.searchParams);
    case 'resource': return handleResource(ctx, req, res, route, url.searchParams);
    case 'notFound': return notFound();
  }
}

/** HTTP access to the fault hooks, for a test server running as its own process (lab, benchmarks). */
async function handleAdmin(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, action: string, query: URLSearchParams): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = chunks.length === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonObject);
  switch (action) {
    case 'drop-watches': return sendJson(res, 200, { dropped: ctx.faults.dropWatches({ abrupt: query.get('abrupt') === 'true' }) });
    case 'compact': ctx.faults.compact(); return sendJson(res, 200, { compactedAt: ctx.store.currentRv() });
    case 'fault': ctx.faults.inject(body as unknown as ErrorFault); return sendJson(res, 200, {});
    case 'delay': ctx.faults.delay(body as unknown as DelayFault); return sendJson(res, 200, {});
    case 'clear-faults': ctx.faults.clear(); return sendJson(res, 200, {});
    case 'stats': return sendJson(res, 200, { resourceVersion: ctx.store.currentRv() });
    default: return sendError(res, new ApiError(404, 'NotFound', `no admin action "${action}"`));
  }
}

function serverHandle(server: Server, ctx: HandlerContext, records: RequestRecord[], listeners: Set<(r: RequestRecord) => void>,
  watches: Set<WatchStream>, host: string): ApiServer {
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kubeconfig = (user = 'admin'): KubeconfigOptions => ({
    clusters: [{ name: 'metallb-ts-test', server: url, skipTLSVerify: true }],
    users: [{ name: user, token: user }],
    contexts: [{ name: 'metallb-ts-test', cluster: 'metallb-ts-test', user }],
    currentContext: 'metallb-ts-test',
  });
  let closing: Promise<void> | undefined;
  return {
    url, port, faults: ctx.faults,
    requests: () => records,
    clearRequests: () => { records.length = 0; },
    onRequest: (l) => { listeners.add(l); return () => listeners.delete(l); },
    kubeconfig,
    kubeconfigYaml: (user) => {
      const k = kubeconfig(user);
      return toYaml({
        apiVersion: 'v1', kind: 'Config', 'current-context': k.currentContext,
        clusters: k.clusters.map((c) => ({ name: c.name, cluster: { server: c.server, 'insecure-skip-tls-verify': true } })),
        users: k.users.map((u) => ({ name: u.name, user: { token: u.token } })),
        contexts: k.contexts.map((c) => ({ name: c.name, context: { cluster: c.cluster, user: c.user } })),
      });
    },
    watchCount: () => watches.size,
    onChange: (listener) => ctx.store.subscribe((c) => {
      const slash = c.typeKey.indexOf('/');
      listener({ type: c.type, group: c.typeKey.slice(0, slash), resource: c.typeKey.slice(slash + 1), resourceVersion: c.rv, object: c.object });
    }),
    currentResourceVersion: () => ctx.store.currentRv(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const w of [...watches]) w.close(true);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
