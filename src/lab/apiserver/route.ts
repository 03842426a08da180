/**
 * URL forms of the Kubernetes API, resolved against the served resources:
 * `/api/v1/{plural}[/{name}[/{sub}]]`, `/api/v1/namespaces/{ns}/{plural}[/{name}[/{sub}]]`, the same under
 * `/apis/{group}/{version}`. `/api/v1/namespaces/{x}/{y}` is namespaced only when `{y}` is a namespaced
 * plural of that group/version (otherwise it is the Namespace `x` and its subresource `y`).
 */
import type { Registry } from './registry.js';
import type { ResourceType } from './resource-type.js';

export type Route =
  | { readonly kind: 'version' }
  | { readonly kind: 'health' }
  | { readonly kind: 'apiVersions' }
  | { readonly kind: 'groupList' }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'resourceList'; readonly group: string; readonly version: string }
  | { readonly kind: 'admin'; readonly action: string }
  | {
    readonly kind: 'resource'; readonly type: ResourceType; readonly version: string; readonly namespace: string | undefined;
    readonly name: string | undefined; readonly subresource: string | undefined;
  }
  | { readonly kind: 'notFound' };

function decode(parts: string[]): string[] {
  return parts.map((p) => decodeURIComponent(p));
}

export function resolveRoute(pathname: string, registry: Registry): Route {
  const parts = decode(pathname.split('/').filter((p) => p !== ''));
  const [head, second, third] = parts;
  if (head === 'version' && parts.length === 1) return { kind: 'version' };
  if ((head === 'healthz' || head === 'readyz' || head === 'livez') && parts.length === 1) return { kind: 'health' };
  if (head === '__testserver' && second !== undefined) return { kind: 'admin', action: second };
  if (head === 'api') {
    if (parts.length === 1) return { kind: 'apiVersions' };
    if (second !== 'v1') return { kind: 'notFound' };
    if (parts.length === 2) return { kind: 'resourceList', group: '', version: 'v1' };
    return resourcePath('', 'v1', parts.slice(2), registry);
  }
  if (head === 'apis') {
    if (parts.length === 1) return { kind: 'groupList' };
    if (parts.length === 2) return { kind: 'group', group: second! };
    if (parts.length === 3) return { kind: 'resourceList', group: second!, version: third! };
    return resourcePath(second!, third!, parts.slice(3), registry);
  }
  return { kind: 'notFound' };
}

function resourcePath(group: string, version: string, rest: string[], registry: Registry): Route {
  const [a, b, c, d, e] = rest;
  if (a === 'namespaces' && c !== undefined) {
    const t = registry.find(group, version, c);
    if (t !== undefined && t.namespaced && rest.length <= 5) {
      return { kind: 'resource', type: t, version, namespace: b, name: d, subresource: e };
    }
  }
  const t = registry.find(group, version, a!);
  if (t === undefined || rest.length > 3) return { kind: 'notFound' };
  if (t.namespaced && b !== undefined) return { kind: 'notFound' };
  return { kind: 'resource', type: t, version, namespace: undefined, name: b, subresource: c };
}
