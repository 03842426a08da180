/**
 * The other objects the controller keeps, as MetalLB does: the `controller` ConfigurationState (result,
 * error summary, the `poolReconcilerValid` condition), the IPAddressPool status counters, and the
 * `memberlist` Secret the speakers encrypt gossip with (created when absent, never changed). Each is
 * written only when it differs from what the cluster already has.
 */
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import type { PoolStatus } from '../controller/controller-state.js';
import { desiredState, readOrCreateState, sameState } from './configuration-state.js';
import type { KubeObject } from './kube-object.js';

const group = 'metallb.io';
const version = 'v1beta1';
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

function isNotFound(err: unknown): boolean {
  return err instanceof k8s.ApiException && err.code === 404;
}

function isAlreadyExists(err: unknown): boolean {
  return err instanceof k8s.ApiException && err.code === 409;
}

export class ConfigurationStateWriter {
  private readonly custom: k8s.CustomObjectsApi;
  private readonly namespace: string;
  private readonly wallMs: () => number;
  static readonly objectName = 'controller';
  static readonly conditionType = 'poolReconcilerValid';

  constructor(options: { custom: k8s.CustomObjectsApi; namespace: string; wallMs: () => number }) {
    this.custom = options.custom;
    this.namespace = options.namespace;
    this.wallMs = options.wallMs;
  }

  /** Records the configuration as valid (`errors` empty) or invalid with one line per error. */
  async report(errors: readonly string[]): Promise<void> {
    const name = ConfigurationStateWriter.objectName;
    const current = await readOrCreateState(this.custom, this.namespace, name, { 'metallb.io/component-type': 'controller' });
    const desired = desiredState(ConfigurationStateWriter.conditionType, errors, current.status, this.wallMs());
    if (sameState(current.status, desired)) return;
    await this.custom.patchNamespacedCustomObjectStatus({
      group, version, namespace: this.namespace, plural: 'configurationstates', name,
      body: { status: { ...desired, errorSummary: desired.errorSummary ?? null } },
    }, mergePatch);
  }
}

/** The largest double below 2^63: JSON carries it as 9223372036854775000, which still fits an int64. */
const maxJsonInt64 = 9_223_372_036_854_774_784;

/** An int64 counter as a JSON number the API server accepts (MaxInt64 for huge IPv6 pools cannot be exact). */
export function int64Json(value: bigint): number {
  const n = Number(value);
  return n > maxJsonInt64 ? maxJsonInt64 : n;
}

interface PoolStatusFields {
  assignedIPv4: number;
  availableIPv4: number;
  assignedIPv6: number;
  availableIPv6: number;
}

/** Writes IPAddressPool status counters that differ from the cached pools'. Returns how many were written. */
export async function writePoolStatuses(options: {
  custom: k8s.CustomObjectsApi;
  namespace: string;
  statuses: readonly PoolStatus[];
  cached: (name: string) => (KubeObject & { status?: Partial<PoolStatusFields> }) | undefined;
}): Promise<number> {
  let written = 0;
  for (const { name, counters } of options.statuses) {
    const pool = options.cached(name);
    if (pool === undefined) continue;
    const desired: PoolStatusFields = {
      assignedIPv4: int64Json(counters.assignedIPv4), availableIPv4: int64Json(counters.availableIPv4),
      assignedIPv6: int64Json(counters.assignedIPv6), availableIPv6: int64Json(counters.availableIPv6),
    };
    const have = pool.status ?? {};
    if ((Object.keys(desired) as (keyof PoolStatusFields)[]).every((k) => have[k] === desired[k])) continue;
    try {
      await options.custom.patchNamespacedCustomObjectStatus({
        group, version, namespace: options.namespace, plural: 'ipaddresspools', name, body: { status: desired },
      }, mergePatch);
      written++;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return written;
}

/**
 * Creates the `memberlist` Secret (key `secretkey`: 128 random bytes in base64, as MetalLB's docs make it
 * with `openssl rand -base64 128`) unless it exists. Returns true when it was created.
 */
export async function ensureMemberlistSecret(core: k8s.CoreV1Api, namespace: string, name: string): Promise<boolean> {
  try {
    await core.readNamespacedSecret({ name, namespace });
    return false;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const secretkey = randomBytes(128).toString('base64');
  try {
    await core.createNamespacedSecret({
      namespace, body: { metadata: { name, namespace }, type: 'Opaque', data: { secretkey: Buffer.from(secretkey).toString('base64') } },
    });
    return true;
  } catch (err) {
    if (isAlreadyExists(err)) return false;
    throw err;
  }
}
