/**
 * One resource request: the verb from method and URL, faults first (delay, injected error), then the body,
 * then the verb on ResourceApi (or a WatchStream), answered as JSON with the real server's status codes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError } from './api-error.js';
import type { Faults, RequestInfo, Verb } from './faults.js';
import type { Json } from './patch.js';
import type { PatchType, ResourceApi, Target } from './resource-api.js';
import { apiVersionOf, typeKey } from './resource-type.js';
import type { Route } from './route.js';
import type { JsonObject, ObjectStore } from './store.js';
import { WatchStream } from './watch-stream.js';

export interface RequestRecord extends RequestInfo {
  readonly method: string;
  readonly code: number;
}

export interface HandlerContext {
  readonly api: ResourceApi;
  readonly store: ObjectStore;
  readonly faults: Faults;
  readonly bookmarkIntervalMs: number;
  readonly nowIso: () => string;
  readonly addWatch: (w: WatchStream) => void;
  readonly removeWatch: (w: WatchStream) => void;
  readonly record: (r: RequestRecord) => void;
}

type ResourceRoute = Extract<Route, { kind: 'resource' }>;

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  const retry = err.details?.retryAfterSeconds;
  sendJson(res, err.httpCode, err.toStatus(), retry === undefined ? {} : { 'Retry-After': String(retry) });
}

function verbOf(method: string, route: ResourceRoute, watch: boolean): Verb {
  const onObject = route.name !== undefined;
  switch (method) {
    case 'GET': return watch ? 'watch' : onObject ? 'get' : 'list';
    case 'POST': if (!onObject) return 'create'; break;
    case 'PUT': if (onObject) return 'update'; break;
    case 'PATCH': if (onObject) return 'patch'; break;
    case 'DELETE': return onObject ? 'delete' : 'deletecollection';
  }
  throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
}

function userOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return auth !== undefined && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
}

function patchTypeOf(contentType: string | undefined): PatchType {
  const base = (contentType ?? '').split(';')[0]!.trim();
  switch (base) {
    case 'application/json-patch+json': return 'json';
    case 'application/merge-patch+json': return 'merge';
    case 'application/strategic-merge-patch+json': return 'strategic';
    case 'application/apply-patch+yaml': return 'apply';
  }
  throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
}

async function readBody(req: IncomingMessage): Promise<Json | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    try {
      return parseYaml(text) as Json;
    } catch (err) {
      throw ApiError.badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
    }
  }
}

function timeoutMsOf(query: URLSearchParams): number | undefined {
  const t = query.get('timeoutSeconds');
  return t === null ? undefined : Math.max(0, Number(t)) * 1000;
}

export async function handleResource(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, route: ResourceRoute, query: URLSearchParams): Promise<void> {
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  const method = req.method ?? 'GET';
  let info: RequestInfo = {
    verb: 'get', group: route.type.group, version: route.version, resource: route.type.plural,
    subresource: route.subresource, namespace: route.namespace, name: route.name, user: userOf(req),
  };
  let code = 500;
  try {
    info = { ...info, verb: verbOf(method, route, watch) };
    if (route.subresource !== undefined && (route.subresource !== 'status' || !route.type.hasStatus)) {
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource`);
    }
    const delayMs = ctx.faults.delayFor(info);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    const injected = ctx.faults.errorFor(info);
    if (injected !== undefined) throw injected;
    const body = method === 'GET' ? undefined : await readBody(req);
    code = serveVerb(ctx, req, res, route, info, query, body);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    code = err.httpCode;
    if (!res.headersSent) sendError(res, err);
  } finally {
    ctx.record({ ...info, method, code });
  }
}

function serveVerb(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, route: ResourceRoute, info: RequestInfo,
  query: URLSearchParams, body: Json | undefined): number {
  const target: Target = {
    type: route.type, version: route.version, namespace: route.namespace,
    ...(route.name === undefined ? {} : { name: route.name }),
    ...(route.subresource === undefined ? {} : { subresource: route.subresource }),
  };
  const now = ctx.nowIso();
  const listOptions = {
    labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector'),
    ...(query.get('limit') === null ? {} : { limit: Number(query.get('limit')) }), continueToken: query.get('continue'),
  };
  const reply = (code: number, obj: JsonObject): number => { sendJson(res, code, obj); return code; };
  switch (info.verb) {
    case 'get': return reply(200, ctx.api.get(target));
    case 'list': return reply(200, ctx.api.list(target, listOptions));
    case 'create': return reply(201, ctx.api.create(target, body ?? null, now));
    case 'update': return reply(200, ctx.api.update(target, body ?? null, now));
    case 'patch': {
      const patchType = patchTypeOf(req.headers['content-type']);
      return reply(200, ctx.api.patch(target, patchType, body ?? null, query.get('fieldManager') ?? undefined, now));
    }
    case 'delete': {
      const pre = typeof body === 'object' && body !== null && !Array.isArray(body) ? body['preconditions'] : undefined;
      const r = ctx.api.delete(target, typeof pre === 'object' && pre !== null && !Array.isArray(pre) ? pre : undefined, now);
      return reply(r.status, r.body);
    }
    case 'deletecollection': return reply(200, ctx.api.deleteCollection(target, listOptions, now));
    case 'watch': return startWatch(ctx, res, route, info, query);
  }
}

function startWatch(ctx: HandlerContext, res: ServerResponse, route: ResourceRoute, info: RequestInfo, query: URLSearchParams): number {
  const { type: t, version } = route;
  const fieldSelector = [query.get('fieldSelector'), route.name === undefined ? null : `metadata.name=${route.name}`]
    .filter((s) => s !== null && s !== '').join(',');
  const matches = ctx.api.selectorFor(t, query.get('labelSelector'), fieldSelector);
  const rv = query.get('resourceVersion') ?? undefined;
  if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) throw ApiError.badRequest(`invalid resource version: ${rv}`);
  const stream: WatchStream = new WatchStream(res, {
    typeKey: typeKey(t), namespace: route.namespace, matches, present: (o) => ctx.api.present(t, version, o),
    kind: t.kind, apiVersion: apiVersionOf(t.group, version),
  }, ctx.store, info.user, () => ctx.removeWatch(stream));
  ctx.addWatch(stream);
  stream.start({
    resourceVersion: rv, bookmarks: query.get('allowWatchBookmarks') === 'true',
    bookmarkIntervalMs: ctx.bookmarkIntervalMs, timeoutMs: timeoutMsOf(query),
  });
  return 200;
}
