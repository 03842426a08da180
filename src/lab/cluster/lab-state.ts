/**
 * The state file of one lab (`<dir>/state.json`): the options it was built with, the API server's port, every
 * process it started (by PID and start time), and what `lab kill` has done. It is written after every step of
 * `lab up`, so `lab down` finds everything even when `up` failed half-way. Written atomically (rename).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MetallbError } from '../../lib/errors.js';
import type { LabOptions, RouterChoice } from './lab-plan.js';
import type { ProcessRecord } from './processes.js';

export type LabPhase = 'building' | 'up' | 'failed';

export interface LabState {
  readonly version: 1;
  readonly name: string;
  readonly nodes: number;
  readonly router: RouterChoice;
  readonly prefix: string;
  phase: LabPhase;
  /** The API server's TCP port on 127.0.0.1 (root namespace). */
  apiPort?: number;
  /**
   * Processes by role: `api`, `controller`, `kube`, `router/<daemon>`, `speaker/<node>`, `pod/<node>`,
   * `forwarder/<node>`.
   */
  processes: Record<string, ProcessRecord>;
  /** Nodes whose link `lab kill --link` cut. */
  cutLinks: string[];
  /** Wall-clock time `up` finished, ISO. */
  upAt?: string;
}

export function newLabState(o: LabOptions, prefix: string): LabState {
  return { version: 1, name: o.name, nodes: o.nodes, router: o.router, prefix, phase: 'building', processes: {}, cutLinks: [] };
}

export function readLabState(file: string): LabState | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MetallbError('ELABSTATE', `reading ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const s = parsed as Partial<LabState>;
  if (s.version !== 1 || typeof s.name !== 'string' || typeof s.prefix !== 'string') {
    throw new MetallbError('ELABSTATE', `${file} is not a lab state file of this version`);
  }
  return { ...s, processes: s.processes ?? {}, cutLinks: s.cutLinks ?? [] } as LabState;
}

export function writeLabState(file: string, state: LabState): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}
