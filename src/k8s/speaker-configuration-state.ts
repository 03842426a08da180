/**
 * The speaker's ConfigurationState `speaker-<node>` (metallb-behaviour.md §2.7): labels
 * `metallb.io/component-type: speaker` and `metallb.io/node-name`, one condition `configReconcilerValid`
 * (reasons `Reconciled` / `ConfigurationError`), `result` Valid or Invalid, `errorSummary` the error lines.
 * The latest report wins; it is written in the background (created when absent, status PUT only when it
 * differs) and retried with backoff while the API server is away.
 */
import * as k8s from '@kubernetes/client-node';
import { Backoff } from '../lib/backoff.js';
import type { Clock, Timer } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';

const group = 'metallb.io';
const version = 'v1beta1';
const plural = 'configurationstates';
export const speakerConditionType = 'configReconcilerValid';

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

interface StateStatus {
  result?: string;
  errorSummary?: string;
  conditions?: Condition[];
}

interface StateObject {
  metadata?: { name?: string; resourceVersion?: string };
  status?: StateStatus;
}

export interface SpeakerConfigurationStateOptions {
  readonly custom: k8s.CustomObjectsApi;
  readonly namespace: string;
  readonly nodeName: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

export function configurationStateName(node: string): string {
  return `speaker-${node}`;
}

function rfc3339(wallMs: number): string {
  return new Date(wallMs).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The status for `errors` (empty = valid), keeping the transition time when the condition did not flip. */
export function desiredState(errors: readonly string[], current: StateStatus | undefined, wallMs: number): StateStatus {
  const valid = errors.length === 0;
  const status = valid ? 'True' : 'False';
  const old = current?.conditions?.find((c) => c.type === speakerConditionType);
  const summary = errors.join('\n');
  const condition: Condition = {
    type: speakerConditionType, status, reason: valid ? 'Reconciled' : 'ConfigurationError', message: summary,
    lastTransitionTime: old !== undefined && old.status === status ? old.lastTransitionTime : rfc3339(wallMs),
  };
  return { result: valid ? 'Valid' : 'Invalid', conditions: [condition], ...(valid ? {} : { errorSummary: summary }) };
}

export class SpeakerConfigurationState {
  private readonly o: SpeakerConfigurationStateOptions;
  private readonly backoff = new Backoff({ initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.2 });
  private wanted: readonly string[] | undefined;
  private running = false;
  private retry: Timer | undefined;
  private stopped = false;

  constructor(o: SpeakerConfigurationStateOptions) {
    this.o = o;
  }

  /** Records the configuration as valid (`errors` empty) or invalid with one line per error. */
  report(errors: readonly string[]): void {
    this.wanted = [...errors];
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.retry?.cancel();
  }

  private kick(): void {
    if (this.running || this.stopped || this.wanted === undefined) return;
    this.retry?.cancel();
    this.retry = undefined;
    this.running = true;
    const errors = this.wanted;
    this.write(errors).then(() => {
      this.running = false;
      this.backoff.reset();
      if (this.wanted !== errors) this.kick();
      else this.wanted = undefined;
    }, (err: unknown) => {
      this.running = false;
      const delayMs = this.backoff.next();
      this.o.logger.debug({ err: errorMessage(err), retryInMs: delayMs }, 'writing ConfigurationState failed');
      if (!this.stopped) this.retry = this.o.clock.setTimer(delayMs, () => this.kick());
    });
  }

  private async write(errors: readonly string[]): Promise<void> {
    const current = await this.readOrCreate();
    const status = desiredState(errors, current.status, this.o.clock.wallMs());
    const have = current.status ?? {};
    if (have.result === status.result && (have.errorSummary ?? '') === (status.errorSummary ?? '')
      && JSON.stringify(have.conditions ?? []) === JSON.stringify(status.conditions)) return;
    const name = configurationStateName(this.o.nodeName);
    await this.o.custom.replaceNamespacedCustomObjectStatus({
      group, version, namespace: this.o.namespace, plural, name,
      body: { ...current, apiVersion: `${group}/${version}`, kind: 'ConfigurationState', status },
    });
  }

  private async readOrCreate(): Promise<StateObject> {
    const name = configurationStateName(this.o.nodeName);
    const ref = { group, version, namespace: this.o.namespace, plural, name };
    try {
      return (await this.o.custom.getNamespacedCustomObject(ref)) as StateObject;
    } catch (err) {
      if (!(err instanceof k8s.ApiException && err.code === 404)) throw err;
    }
    try {
      return (await this.o.custom.createNamespacedCustomObject({
        group, version, namespace: this.o.namespace, plural,
        body: {
          apiVersion: `${group}/${version}`, kind: 'ConfigurationState',
          metadata: { name, namespace: this.o.namespace, labels: { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': this.o.nodeName } },
        },
      })) as StateObject;
    } catch (err) {
      if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
      return (await this.o.custom.getNamespacedCustomObject(ref)) as StateObject;
    }
  }
}
