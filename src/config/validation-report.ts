/**
 * What `metallb-ts validate` says about a set of sources: parse, load, build, then one line per problem
 * (`FILE[#DOC]: Kind/name: field.path: message`) or one summary line. Pure, so the CLI, tests and property
 * tests run the same code.
 */
import { parseDocuments, type SourceDocument } from '../api/documents.js';
import type { SourceText } from '../lib/input-files.js';
import { build } from './build.js';
import { type LoadProblem, loadResources, type LoadedResources } from './load.js';
import { type ConfigProblem, formatProblem } from './problems.js';
import { type ClusterResources, resourceKinds } from './resources.js';
import type { Config } from './types.js';

export interface ValidateOptions {
  /** The MetalLB namespace (default metallb-system). */
  readonly namespace?: string;
  /**
   * The input is not the whole configuration: references to Secrets, BFD profiles and Community aliases that
   * are not in it are warnings, not errors (the admission webhook's view).
   */
  readonly partial?: boolean;
}

export interface ValidationReport {
  /** 0 valid, 1 invalid, 2 unreadable. */
  readonly exitCode: 0 | 1 | 2;
  /** The result: the summary line, or one line per problem. */
  readonly stdout: readonly string[];
  /** Warnings, and the reason an input could not be read. */
  readonly stderr: readonly string[];
  readonly config?: Config;
}

const keyOfKind = new Map<string, keyof ClusterResources>(Object.entries(resourceKinds).map(([key, kind]) => [kind, key as keyof ClusterResources]));

interface Line {
  readonly sequence: number;
  readonly origin: string;
  readonly path: string;
  readonly text: string;
}

function locate(loaded: LoadedResources, p: ConfigProblem): { origin: string; sequence: number } {
  const key = keyOfKind.get(p.kind);
  if (key === undefined) return { origin: '(input)', sequence: Number.MAX_SAFE_INTEGER };
  return { origin: loaded.origins[key][p.index] ?? '(input)', sequence: loaded.sequences[key][p.index] ?? Number.MAX_SAFE_INTEGER };
}

function buildLine(loaded: LoadedResources, p: ConfigProblem): Line {
  const { origin, sequence } = locate(loaded, p);
  return { sequence, origin, path: p.path, text: `${origin}: ${formatProblem(p)}` };
}

function loadLine(p: LoadProblem): Line {
  const object = p.kind === '' ? '' : `${p.kind}/${p.name || '(unnamed)'}: `;
  return { sequence: p.sequence, origin: p.origin, path: p.path, text: `${p.origin}: ${object}${p.path === '' ? '' : `${p.path}: `}${p.message}` };
}

const pathOrder = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

/** Input order (document, then field); a build problem at a field the schema already complained about is the same problem. */
function problemLines(loaded: LoadedResources, buildProblems: readonly ConfigProblem[]): string[] {
  const schemaAt = new Set(loaded.problems.map((p) => `${p.origin}\u0000${p.path}`));
  const lines = [
    ...loaded.problems.map(loadLine),
    ...buildProblems.map((p) => buildLine(loaded, p)).filter((l) => !schemaAt.has(`${l.origin}\u0000${l.path}`)),
  ];
  return lines.map((l, i) => ({ l, i }))
    .sort((a, b) => a.l.sequence - b.l.sequence || pathOrder(a.l.path, b.l.path) || a.i - b.i)
    .map(({ l }) => l.text);
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function summaryLine(config: Config, loaded: LoadedResources): string {
  const parts = [
    count(config.pools.size, 'pool'),
    count(config.l2Advertisements.size, 'L2 advertisement'),
    count(config.bgpAdvertisements.size, 'BGP advertisement'),
    count(config.peers.size, 'BGP peer'),
    count(config.bfdProfiles.size, 'BFD profile'),
    count(config.communities.size, 'community alias', 'community aliases'),
  ];
  const r = loaded.resources;
  const read = [count(r.nodes.length, 'node'), count(r.namespaces.length, 'namespace'), count(r.secrets.length, 'secret')];
  let line = `ok: ${parts.join(', ')}; read ${read.join(', ')}`;
  const skipped = [...loaded.skipped.values()].reduce((a, b) => a + b, 0);
  if (skipped > 0) {
    const kinds = [...loaded.skipped.keys()].sort().join(', ');
    line += `; skipped ${count(skipped, 'object')} of other kinds (${kinds})`;
  }
  return line;
}

export function validateSources(sources: readonly SourceText[], options: ValidateOptions = {}): ValidationReport {
  const documents: SourceDocument[] = [];
  for (const source of sources) {
    const parsed = parseDocuments(source.name, source.text);
    if (parsed.error !== undefined) return { exitCode: 2, stdout: [], stderr: [parsed.error] };
    documents.push(...parsed.documents);
  }
  if (documents.length === 0) {
    const names = sources.map((s) => s.name).join(', ') || 'the input';
    return { exitCode: 1, stdout: [`${names}: no objects found`], stderr: [] };
  }
  const loaded = loadResources(documents, options.namespace === undefined ? {} : { namespace: options.namespace });
  const result = build(loaded.resources);
  const partial = options.partial === true;
  const problems = [...(result.errors ?? [])];
  const errors = problems.filter((p) => !(partial && p.transient));
  const warnings = [...result.warnings, ...problems.filter((p) => partial && p.transient)]
    .map((p) => buildLine(loaded, { ...p, severity: 'warning' }).text);
  const lines = problemLines(loaded, errors);
  if (lines.length > 0) return { exitCode: 1, stdout: lines, stderr: warnings };
  if (result.config === undefined) {
    // Only transient errors, ignored under `partial`: the config is usable once the references exist.
    return { exitCode: 0, stdout: ['ok: valid apart from references to objects not in the input'], stderr: warnings };
  }
  return { exitCode: 0, stdout: [summaryLine(result.config, loaded)], stderr: warnings, config: result.config };
}
