/**
 * Writes this node's ServiceL2Status and ServiceBGPStatus objects (plan in speaker/status-objects.ts) through a
 * work queue keyed by kind and Service: create with `generateName` (the status subresource ignores `.status` on
 * create, so the status is PUT right after), PUT `/status` when it differs, delete what is no longer wanted. An
 * object we created is remembered until the informer shows it, so a quick second reconcile never creates a
 * twin. Failures (the API server away) are retried by the queue with capped backoff; announcing never waits
 * for any of this.
 */
import * as k8s from '@kubernetes/client-node';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import {
  isStatusOf, planStatusObjects, statusKinds, statusObjectLabels,
  type OwnerPod, type ServiceRef, type StatusAction, type StatusBody, type StatusKind, type StatusObject,
} from '../speaker/status-objects.js';
import { splitObjectKey } from './kube-object.js';
import { WorkQueue } from './work-queue.js';

const group = 'metallb.io';
const version = 'v1beta1';

export interface StatusObjectWriterOptions {
  readonly custom: k8s.CustomObjectsApi;
  readonly namespace: string;
  readonly nodeName: string;
  /** This node's objects of a kind, as cached. */
  readonly cached: (kind: StatusKind) => readonly StatusObject[];
  /** The status a Service should have from this node (undefined: no object). */
  readonly desired: (kind: StatusKind, service: ServiceRef) => StatusBody | undefined;
  /** The speaker Pod, owner of the objects, when known. */
  readonly owner: () => OwnerPod | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Counts every write and its outcome. */
  readonly onWrite?: (ok: boolean) => void;
}

type Created = StatusObject & { readonly metadata: { readonly name: string } };

export class StatusObjectWriter {
  private readonly o: StatusObjectWriterOptions;
  private readonly queue: WorkQueue;
  /** Objects created by us the informer may not show yet, by queue key. */
  private readonly created = new Map<string, Created>();

  constructor(o: StatusObjectWriterOptions) {
    this.o = o;
    this.queue = new WorkQueue({
      name: 'status-objects', reconcile: (key) => this.reconcile(key), clock: o.clock, logger: o.logger, concurrency: 4,
      backoff: { initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.2 },
    });
  }

  start(): void {
    this.queue.start();
  }

  /** Brings the object of `kind` for Service `serviceKey` up to date (soon). */
  enqueue(kind: StatusKind, serviceKey: string): void {
    this.queue.add(`${kind}|${serviceKey}`);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    await this.queue.shutdown();
  }

  private existing(kind: StatusKind, service: ServiceRef, key: string): StatusObject[] {
    const cached = this.o.cached(kind).filter((obj) => isStatusOf(obj, this.o.nodeName, service));
    const mine = this.created.get(key);
    if (mine !== undefined && cached.some((c) => c.metadata?.name === mine.metadata.name)) this.created.delete(key);
    else if (mine !== undefined) cached.push(mine);
    return cached;
  }

  private async reconcile(key: string): Promise<void> {
    const bar = key.indexOf('|');
    const kind = key.slice(0, bar) as StatusKind;
    const { namespace = '', name } = splitObjectKey(key.slice(bar + 1));
    const service = { namespace, name };
    const desired = this.o.desired(kind, service);
    const actions = planStatusObjects(desired, this.existing(kind, service, key), statusObjectLabels(this.o.nodeName, service));
    for (const action of actions) await this.apply(kind, key, action);
  }

  private async apply(kind: StatusKind, key: string, action: StatusAction): Promise<void> {
    const { plural, generateName } = statusKinds[kind];
    const ns = this.o.namespace;
    try {
      switch (action.type) {
        case 'create': {
          const owner = this.o.owner();
          const body = {
            apiVersion: `${group}/${version}`, kind,
            metadata: {
              generateName, namespace: ns, labels: action.labels,
              ...(owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: owner.name, uid: owner.uid }] }),
            },
          };
          const made = await this.o.custom.createNamespacedCustomObject({ group, version, namespace: ns, plural, body }) as Created;
          this.created.set(key, made);
          await this.writeStatus(kind, key, made, action.status);
          this.o.logger.debug({ kind, name: made.metadata.name, key }, 'created status object');
          break;
        }
        case 'updateStatus':
          await this.writeStatus(kind, key, action.object, action.status);
          break;
        case 'delete':
          await this.o.custom.deleteNamespacedCustomObject({ group, version, namespace: ns, plural, name: action.name }).catch((err: unknown) => {
            if (!(err instanceof k8s.ApiException && err.code === 404)) throw err;
          });
          if (this.created.get(key)?.metadata.name === action.name) this.created.delete(key);
          break;
      }
      this.o.onWrite?.(true);
    } catch (err) {
      this.o.onWrite?.(false);
      throw err;
    }
  }

  private async writeStatus(kind: StatusKind, key: string, object: StatusObject, status: StatusBody): Promise<void> {
    const { plural } = statusKinds[kind];
    const name = object.metadata?.name ?? '';
    const body = { ...object, apiVersion: `${group}/${version}`, kind, status };
    const written = await this.o.custom.replaceNamespacedCustomObjectStatus({ group, version, namespace: this.o.namespace, plural, name, body }) as Created;
    if (this.created.get(key)?.metadata.name === name) this.created.set(key, written);
  }
}
