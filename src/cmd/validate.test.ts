/**
 * `metallb-ts validate` end to end: the command function in process (what main.ts runs), and a few runs of the
 * built binary. Property tests feed arbitrary and mutated documents: the answer is always an exit code with
 * well-formed messages, never an exception or a stack trace.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { runValidate } from './validate.js';

const dir = mkdtempSync(join(tmpdir(), 'metallb-ts-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = new URL('../../../test/fixtures/metallb-docs/', import.meta.url);
const fixtureNames = readdirSync(fixtures).filter((f) => f.endsWith('.yaml')).sort();
const fixtureText = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
const mainJs = new URL('./main.js', import.meta.url).pathname;

let fileCount = 0;
function file(text: string, ext = 'yaml'): string {
  const path = join(dir, `f${fileCount++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

interface Run { code: number; out: string[]; err: string[] }
function run(files: string[], options: { partial?: boolean; namespace?: string } = {}, stdin = ''): Run {
  const out: string[] = [];
  const err: string[] = [];
  const code = runValidate(files, options, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), readStdin: () => stdin });
  return { code, out, err };
}

const pool = 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p, namespace: metallb-system}\nspec: {addresses: [10.0.0.0/24]}\n';

/** One line per problem: `FILE[#DOC]: [Kind/name: ][field.path: ]message`, no stack traces. */
function assertWellFormed(r: Run): void {
  assert.ok([0, 1, 2].includes(r.code), `exit ${r.code}`);
  for (const line of [...r.out, ...r.err]) {
    assert.ok(line.length > 0 && !line.includes('\n'), JSON.stringify(line));
    assert.doesNotMatch(line, /^\s+at |Error:|TypeError|RangeError/);
  }
  if (r.code === 0) {
    assert.equal(r.out.length, 1);
    assert.match(r.out[0]!, /^ok: /);
  } else if (r.code === 1) {
    assert.ok(r.out.length > 0);
    for (const line of r.out) assert.match(line, new RegExp(`^(${dir}/|<stdin>|\\(input\\))[^:]*: .+`));
  } else {
    assert.equal(r.out.length, 0);
    assert.equal(r.err.length, 1);
  }
}

describe('validate', () => {
  test('a valid configuration exits 0 with one summary line', () => {
    const r = run([file(pool)]);
    assert.deepEqual(r, { code: 0, out: ['ok: 1 pool, 0 L2 advertisements, 0 BGP advertisements, 0 BGP peers, 0 BFD profiles, 0 community aliases; read 0 nodes, 0 namespaces, 0 secrets'], err: [] });
  });

  test('an invalid configuration exits 1 with one FILE#DOC: Kind/name: path: message line per problem', () => {
    const f = file(`${pool}---\napiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: q}\nspec: {addresses: [10.0.0.128/25, 10.1.0.1]}\n`);
    const r = run([f]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.out, [
      `${f}#2: IPAddressPool/q: spec.addresses[0]: 10.0.0.128/25 overlaps 10.0.0.0/24 of pool "p"`,
      `${f}#2: IPAddressPool/q: spec.addresses[1]: invalid CIDR "10.1.0.1" (a single address is written /32 or /128)`,
    ]);
  });

  test('files, directories and stdin can be mixed; a directory gives its YAML and JSON files in name order', () => {
    const sub = join(dir, 'cfg');
    mkdirSync(sub);
    writeFileSync(join(sub, 'b.json'), JSON.stringify(parse(pool.replace('name: p', 'name: b').replace('10.0.0.0/24', '10.9.0.0/24'))));
    writeFileSync(join(sub, 'a.yml'), pool.replace('name: p', 'name: a').replace('10.0.0.0/24', '10.8.0.0/24'));
    writeFileSync(join(sub, 'notes.txt'), 'not: [yaml');
    const r = run([sub, '-'], {}, pool);
    assert.equal(r.code, 0, r.out.join('\n'));
    assert.match(r.out[0]!, /^ok: 3 pools,/);
  });

  test('unreadable input exits 2: a missing file, or a YAML syntax error with line and column', () => {
    const missing = join(dir, 'nope.yaml');
    assert.deepEqual(run([missing]), { code: 2, out: [], err: [`${missing}: cannot read: ENOENT`] });
    const bad = file('apiVersion: v1\nkind: [Node\n');
    const r = run([bad]);
    assert.equal(r.code, 2);
    assert.match(r.err[0]!, new RegExp(`^${bad}:3:1: yaml: `));
  });

  test('no objects at all is a problem (exit 1), as kubectl apply says', () => {
    assert.equal(run([file('# nothing here\n')]).code, 1);
  });

  test('--partial turns missing references into warnings (the webhook view); the objects must be in the namespace', () => {
    const peer = 'apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: x}\nspec: {myASN: 1, peerASN: 2, peerAddress: 10.0.0.1, bfdProfile: later}\n';
    const f = file(peer);
    assert.equal(run([f]).code, 1);
    const partial = run([f], { partial: true });
    assert.equal(partial.code, 0);
    assert.deepEqual(partial.err, [`${f}: BGPPeer/x: spec.bfdProfile: warning: BFDProfile "later" not found`]);
    const other = run([file(pool)], { namespace: 'lb' });
    assert.equal(other.code, 1);
    assert.match(other.out[0]!, /metadata\.namespace: "metallb-system" is not the MetalLB namespace "lb"/);
  });
});

const fixtureObjects = fixtureNames.flatMap((name) => {
  const docs = fixtureText(name).split(/^---$/m).map((t) => parse(t) as unknown).filter((d) => d !== null);
  return docs.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && 'spec' in d);
});

function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((v, i) => leafPaths(v, [...path, i]));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0 ? [path] : entries.flatMap(([k, v]) => leafPaths(v, [...path, k]));
  }
  return [path];
}

function setAt(root: unknown, path: (string | number)[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
}

/** A JSON value of another type than `v`: the schema rejects it whatever the field. */
function otherType(v: unknown): fc.Arbitrary<unknown> {
  if (typeof v === 'string') return fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));
  if (typeof v === 'number') return fc.oneof(fc.string({ minLength: 1 }).filter((s) => Number.isNaN(Number(s))), fc.boolean(), fc.constant(null));
  if (typeof v === 'boolean') return fc.oneof(fc.string(), fc.integer(), fc.constant(null));
  if (Array.isArray(v)) return fc.oneof(fc.string(), fc.integer(), fc.constant({ a: 1 }));
  return fc.oneof(fc.string(), fc.integer(), fc.array(fc.integer(), { maxLength: 1 }));
}

describe('validate on arbitrary and mutated input (properties)', () => {
  test('arbitrary text exits 1 or 2 with well-formed messages', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('---', '{', 'a: *b', '- [', '&a [*a]', 'kind: List\nitems: 7')), (text) => {
      const r = run(['-'], {}, text);
      assertWellFormed(r);
      assert.ok(r.code === 1 || r.code === 2, `exit ${r.code} for ${JSON.stringify(text)}`);
    }), { numRuns: 300 });
  });

  test('arbitrary JSON documents exit 1 or 2 with well-formed messages', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 3 }), (docs) => {
      const r = run(['-'], {}, docs.map((d) => JSON.stringify(d)).join('\n---\n'));
      assertWellFormed(r);
      assert.ok(r.code === 1 || r.code === 2, `exit ${r.code} for ${JSON.stringify(docs)}`);
    }), { numRuns: 300 });
  });

  test('metallb.io objects with arbitrary specs never crash validate', () => {
    const kinds = ['IPAddressPool', 'L2Advertisement', 'BGPAdvertisement', 'BFDProfile', 'Community'].map((k) => ['metallb.io/v1beta1', k])
      .concat([['metallb.io/v1beta2', 'BGPPeer'], ['metallb.io/v1beta1', 'BGPPeer']]);
    fc.assert(fc.property(fc.constantFrom(...kinds), fc.string(), fc.anything({ maxDepth: 3 }), ([apiVersion, kind], name, spec) => {
      assertWellFormed(run(['-'], {}, JSON.stringify({ apiVersion, kind, metadata: { name }, spec }) ?? ''));
    }), { numRuns: 300 });
  });

  test('a documented configuration with one spec field changed to another type exits 1 naming that document', () => {
    const cases = fc.constantFrom(...fixtureObjects).chain((obj) => {
      const leaves = leafPaths(obj['spec']).filter((p) => p.length > 0);
      return fc.constantFrom(...leaves).chain((path) => {
        let current: unknown = obj['spec'];
        for (const k of path) current = (current as Record<string | number, unknown>)[k];
        return otherType(current).map((value) => ({ obj, path, value }));
      });
    });
    fc.assert(fc.property(cases, ({ obj, path, value }) => {
      const mutated = structuredClone(obj);
      setAt(mutated['spec'], path, value);
      const r = run(['-'], {}, stringify(mutated));
      assertWellFormed(r);
      assert.equal(r.code, 1, `spec.${path.join('.')} = ${JSON.stringify(value)} was accepted`);
    }), { numRuns: 300 });
  });

  test('documented configurations with characters deleted, inserted or cut off never crash validate', () => {
    const texts = fixtureNames.map(fixtureText);
    const edit = fc.record({
      text: fc.constantFrom(...texts),
      at: fc.nat(),
      del: fc.nat({ max: 8 }),
      insert: fc.oneof(fc.constantFrom('', ':', '-', ' ', '\n', '[', '"', '#', '*', '&x ', '\t', '---\n'), fc.string({ maxLength: 4 })),
    });
    fc.assert(fc.property(edit, ({ text, at, del, insert }) => {
      const i = at % (text.length + 1);
      assertWellFormed(run(['-'], {}, text.slice(0, i) + insert + text.slice(i + del)));
    }), { numRuns: 500 });
  });
});

describe('the built binary', () => {
  const bin = (args: string[], input = '') => spawnSync(process.execPath, [mainJs, 'validate', ...args], { input, encoding: 'utf8' });

  test('exits 0, 1 and 2 as documented, with no stack trace', () => {
    const samples: [string[], string, number][] = [
      [['-f', new URL('l2-simple.yaml', fixtures).pathname], '', 0],
      [['-f', '-'], pool.replace('10.0.0.0/24', '10.0.0.0/33'), 1],
      [['-f', '-'], 'a: [', 2],
      [['-f', join(dir, 'missing.yaml')], '', 2],
      [['-f', '-'], '\u0000\u0001garbage: [}', 2],
      [['-f', new URL('.', fixtures).pathname], '', 1],
    ];
    for (const [args, input, want] of samples) {
      const r = bin(args, input);
      assert.equal(r.status, want, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /^\s+at /m);
      assert.ok((r.stdout + r.stderr).trim().length > 0);
    }
  });

  test('a reader that stops early (validate | head -1) gets no stack trace', () => {
    // Far more output than a pipe buffers, so the writes outlive the reader.
    const many = file(Array.from({ length: 3000 }, (_, i) => pool.replace('name: p', `name: p${i}`).replace('10.0.0.0/24', '10.0.0.1')).join('---\n'));
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${mainJs}" validate -f "${many}" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    assert.doesNotMatch(r.stderr, /EPIPE|^\s+at /m);
    assert.equal(r.stdout.trim(), '1');
  });

  test('without -f it says what is missing and exits non-zero', () => {
    const r = bin([]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--filename/);
  });
});
