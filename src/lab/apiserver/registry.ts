/**
 * The set of served resources and the discovery documents built from it (`/api`, `/apis`, `/api/v1`,
 * `/apis/{group}/{version}`), which `KubernetesObjectApi` and kubectl use to map kinds to plurals.
 */
import { allVerbs, builtinTypes, typeKey, type ResourceType } from './resource-type.js';

export class Registry {
  private readonly types = new Map<string, ResourceType>();

  constructor() {
    for (const t of builtinTypes()) this.add(t);
  }

  add(t: ResourceType): void {
    this.types.set(typeKey(t), t);
  }

  remove(group: string, plural: string): void {
    this.types.delete(`${group}/${plural}`);
  }

  /** The type served at `group/version/plural`, if any. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    const t = this.types.get(`${group}/${plural}`);
    return t !== undefined && t.versions.includes(version) ? t : undefined;
  }

  byKey(key: string): ResourceType | undefined {
    return this.types.get(key);
  }

  all(): ResourceType[] {
    return [...this.types.values()];
  }

  servesGroupVersion(group: string, version: string): boolean {
    return this.all().some((t) => t.group === group && t.versions.includes(version));
  }

  apiVersions(): object {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  }

  private groupDoc(group: string): object | undefined {
    const versions = [...new Set(this.all().filter((t) => t.group === group).flatMap((t) => t.versions))];
    if (versions.length === 0) return undefined;
    const preferred = this.all().find((t) => t.group === group)!.versions[0]!;
    const entry = (v: string): object => ({ groupVersion: `${group}/${v}`, version: v });
    return { name: group, versions: versions.map(entry), preferredVersion: entry(preferred) };
  }

  apiGroupList(): object {
    const groups = [...new Set(this.all().map((t) => t.group))].filter((g) => g !== '').sort();
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => this.groupDoc(g)) };
  }

  apiGroup(group: string): object | undefined {
    const doc = this.groupDoc(group);
    return doc === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...doc };
  }

  apiResourceList(group: string, version: string): object | undefined {
    if (!this.servesGroupVersion(group, version)) return undefined;
    const resources = this.all()
      .filter((t) => t.group === group && t.versions.includes(version))
      .sort((a, b) => a.plural.localeCompare(b.plural))
      .flatMap((t) => {
        const main = {
          name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: [...allVerbs],
          ...(t.shortNames.length > 0 ? { shortNames: [...t.shortNames] } : {}),
          storageVersionHash: '',
        };
        const status = { name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] };
        return t.hasStatus ? [main, status] : [main];
      });
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
  }
}
