/**
 * What `metallb-ts plan` prints for a set of sources: the same reading and checks as `validate` (an invalid
 * configuration gives validate's lines and exit 1), plus the v1 Services of the input, then the plan as JSON or
 * a table. Pure apart from the sources it is given, so the CLI and the tests run the same code.
 */
import type { V1Service } from '@kubernetes/client-node';
import { parseDocuments, type SourceDocument } from '../api/documents.js';
import type { SourceText } from '../lib/input-files.js';
import { validateSources } from '../config/validation-report.js';
import { plan } from './plan.js';
import { planToJson, planToTable } from './plan-output.js';

export type PlanFormat = 'json' | 'table';

export interface PlanOptions {
  /** The MetalLB namespace (default metallb-system). */
  readonly namespace?: string;
  /** `--lb-class` of the controller previewed; "" (default) handles Services without a class. */
  readonly loadBalancerClass?: string;
  readonly output?: PlanFormat;
}

export interface PlanReport {
  /** 0 planned, 1 invalid input, 2 unreadable. */
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The v1 Services of the documents; a malformed one is a problem line (`FILE#DOC: Service/name: path: message`). */
export function servicesOf(documents: readonly SourceDocument[]): { services: V1Service[]; problems: string[] } {
  const services: V1Service[] = [];
  const problems: string[] = [];
  for (const doc of documents) {
    const v = doc.value;
    if (!isRecord(v) || v['apiVersion'] !== 'v1' || v['kind'] !== 'Service') continue;
    const meta = isRecord(v['metadata']) ? v['metadata'] : {};
    const name = typeof meta['name'] === 'string' ? meta['name'] : '';
    const at = (path: string, message: string): void => { problems.push(`${doc.origin}: Service/${name || '(unnamed)'}: ${path}: ${message}`); };
    if (name === '') at('metadata.name', 'required field is missing');
    else if (meta['namespace'] !== undefined && typeof meta['namespace'] !== 'string') at('metadata.namespace', 'must be a string');
    else if (v['spec'] !== undefined && !isRecord(v['spec'])) at('spec', 'must be an object');
    else if (v['status'] !== undefined && !isRecord(v['status'])) at('status', 'must be an object');
    // kubectl puts a Service without a namespace in "default".
    else services.push({ ...(v as V1Service), metadata: { ...(meta as V1Service['metadata']), namespace: (meta['namespace'] as string | undefined) ?? 'default' } });
  }
  return { services, problems };
}

export function planSources(sources: readonly SourceText[], options: PlanOptions = {}): PlanReport {
  const validated = validateSources(sources, options.namespace === undefined ? {} : { namespace: options.namespace });
  if (validated.exitCode !== 0 || validated.config === undefined) {
    return { exitCode: validated.exitCode === 0 ? 1 : validated.exitCode, stdout: validated.stdout, stderr: validated.stderr };
  }
  const documents: SourceDocument[] = sources.flatMap((s) => parseDocuments(s.name, s.text).documents ?? []);
  const { services, problems } = servicesOf(documents);
  if (problems.length > 0) return { exitCode: 1, stdout: problems, stderr: validated.stderr };
  const result = plan({ config: validated.config, services, ...(options.loadBalancerClass !== undefined && { loadBalancerClass: options.loadBalancerClass }) });
  const stderr = [...validated.stderr];
  if (!result.settled) stderr.push('plan: the start-up was still reprocessing after the pass limit; the result may not be final');
  const text = options.output === 'json' ? planToJson(result) : planToTable(result).trimEnd();
  return { exitCode: 0, stdout: text.split('\n'), stderr };
}
