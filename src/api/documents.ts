/**
 * Multi-document YAML (or JSON, which is YAML) -> Kubernetes object documents, as `kubectl apply -f` reads
 * them. Lists (`kind: List`, or `kind: FooList` with `items`, as `kubectl get -o yaml` prints) are flattened.
 * YAML is read as YAML 1.2 (write booleans `true`/`false`). Syntax errors come back with line and column.
 */
import { parseAllDocuments } from 'yaml';

export interface SourceDocument {
  /** `file`, `file#2` (second document of several), or `file#2.items[3]` (an item of a List). */
  readonly origin: string;
  readonly value: unknown;
}

export type ParsedSource =
  | { readonly documents: readonly SourceDocument[]; readonly error?: undefined }
  | { readonly documents?: undefined; readonly error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `kind: List` or a typed list (`IPAddressPoolList`) with an `items` array. */
function listItems(value: unknown): { items: unknown[]; itemKind?: string; apiVersion?: unknown } | undefined {
  if (!isRecord(value) || typeof value['kind'] !== 'string' || !Array.isArray(value['items'])) return undefined;
  const kind = value['kind'];
  if (kind === 'List') return { items: value['items'] };
  if (kind.endsWith('List') && kind.length > 4) return { items: value['items'], itemKind: kind.slice(0, -4), apiVersion: value['apiVersion'] };
  return undefined;
}

function flatten(origin: string, value: unknown, out: SourceDocument[]): void {
  const list = listItems(value);
  if (list === undefined) {
    out.push({ origin, value });
    return;
  }
  list.items.forEach((item, i) => {
    // Items of a typed list may leave out apiVersion and kind (the API server's list responses do).
    const filled = list.itemKind !== undefined && isRecord(item)
      ? { apiVersion: list.apiVersion, kind: list.itemKind, ...item }
      : item;
    flatten(`${origin}.items[${i}]`, filled, out);
  });
}

export function parseDocuments(name: string, text: string): ParsedSource {
  let docs;
  try {
    docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  } catch (err) {
    return { error: `${name}: yaml: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!Array.isArray(docs)) return { documents: [] };
  const out: SourceDocument[] = [];
  for (const [i, doc] of docs.entries()) {
    const origin = docs.length > 1 ? `${name}#${i + 1}` : name;
    const problem = doc.errors[0];
    if (problem !== undefined) {
      const pos = problem.linePos?.[0];
      const where = pos === undefined ? name : `${name}:${pos.line}:${pos.col}`;
      const message = (problem.message.split('\n')[0] ?? problem.code).replace(/ at line \d+, column \d+:?$/, '');
      return { error: `${where}: yaml: ${message}` };
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      return { error: `${origin}: yaml: ${err instanceof Error ? err.message : String(err)}` };
    }
    // An empty (or comment-only, or null) document is nothing, as for kubectl.
    if (value === null || value === undefined) continue;
    flatten(origin, value, out);
  }
  return { documents: out };
}
