/**
 * Reads command inputs as `kubectl -f` does: a file, every *.yaml/*.yml/*.json file of a directory (not
 * recursive, in name order), or `-` for standard input. Failures carry code `input-unreadable`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode, MetallbError } from './errors.js';

export interface SourceText {
  /** The path as given (or `<stdin>`), used in messages. */
  readonly name: string;
  readonly text: string;
}

const manifestFile = /\.(ya?ml|json)$/i;

function readOne(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new MetallbError('input-unreadable', `${path}: cannot read: ${errorCode(err) ?? String(err)}`, { cause: err });
  }
}

/** Reads every input; throws MetallbError `input-unreadable` naming the first that cannot be read. */
export function readInputs(paths: readonly string[], readStdin: () => string): SourceText[] {
  const out: SourceText[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push({ name: '<stdin>', text: readStdin() });
      continue;
    }
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (err) {
      throw new MetallbError('input-unreadable', `${path}: cannot read: ${errorCode(err) ?? String(err)}`, { cause: err });
    }
    if (!isDir) {
      out.push({ name: path, text: readOne(path) });
      continue;
    }
    const names = readdirSync(path).filter((n) => manifestFile.test(n)).sort();
    for (const name of names) {
      const file = join(path, name);
      if (statSync(file).isFile()) out.push({ name: file, text: readOne(file) });
    }
  }
  return out;
}

/** Standard input, read synchronously (fd 0); empty when there is none. */
export function readStdinSync(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'EAGAIN' || errorCode(err) === 'EOF') return '';
    throw new MetallbError('input-unreadable', `<stdin>: cannot read: ${errorCode(err) ?? String(err)}`, { cause: err });
  }
}
