/**
 * The speaker's ConfigurationState `speaker-<node>` (metallb-behaviour.md §2.7): labels
 * `metallb.io/component-type: speaker` and `metallb.io/node-name`, one condition `configReconcilerValid`
 * (reasons `Reconciled` / `ConfigurationError`), `result` Valid or Invalid, `errorSummary` the error lines.
 * The latest report wins; it is written in the background (created when absent, status PUT only when it
 * differs) and retried with backoff while the API server is away.
 */
import type * as k8s from '@kubernetes/client-node';
import { Backoff } from '../lib/backoff.js';
import type { Clock, Timer } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { desiredState, readOrCreateState, sameState } from './configuration-state.js';

export const speakerConditionType = 'configReconcilerValid';

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
    const name = configurationStateName(this.o.nodeName);
    const labels = { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': this.o.nodeName };
    const current = await readOrCreateState(this.o.custom, this.o.namespace, name, labels);
    const status = desiredState(speakerConditionType, errors, current.status, this.o.clock.wallMs());
    if (sameState(current.status, status)) return;
    await this.o.custom.replaceNamespacedCustomObjectStatus({
      group: 'metallb.io', version: 'v1beta1', namespace: this.o.namespace, plural: 'configurationstates', name,
      body: { ...current, apiVersion: 'metallb.io/v1beta1', kind: 'ConfigurationState', status },
    });
  }
}
