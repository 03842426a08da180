// Writes deploy/crds/ from the schemas (npm run gen:crds). The CRD drift test checks the committed files.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { crdFiles } from '../src/api/crds.js';

const dir = new URL('../../deploy/crds/', import.meta.url);
mkdirSync(dir, { recursive: true });
const files = crdFiles();
for (const name of readdirSync(dir)) {
  if (name.endsWith('.yaml') && !files.has(name)) rmSync(new URL(name, dir));
}
for (const [name, text] of files) writeFileSync(new URL(name, dir), text);
process.stdout.write(`gen:crds: wrote ${files.size} CRDs to deploy/crds/\n`);
