/**
 * Field paths as Kubernetes prints them (`spec.addresses[1]`, `metadata.labels["app.kubernetes.io/name"]`).
 */
const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Appends one segment: a number is an index, a name becomes `.name` or `["odd/name"]`. */
export function joinPath(base: string, segment: string | number): string {
  if (typeof segment === 'number') return `${base}[${segment}]`;
  if (identifier.test(segment)) return base === '' ? segment : `${base}.${segment}`;
  return `${base}[${JSON.stringify(segment)}]`;
}

/** Converts a JSON pointer (`/spec/addresses/0`) into a field path, numbers as indexes. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  let path = '';
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = joinPath(path, /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : segment);
  }
  return path;
}
