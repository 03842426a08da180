/**
 * No container engine runs here, so the Dockerfile is checked by reading it: its stages and base images, that
 * what it copies from the repository exists and is not ignored, that what it copies out of the build stage is
 * what the build produces (tsc's outDir, the addon's gyp target, the path net/native.ts loads), and that the
 * entry point is the package's bin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

interface Instruction {
  readonly op: string;
  readonly args: string;
}

interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

/** Dockerfile -> stages of instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op!.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      assert.ok(m, `FROM ${args}`);
      stages.push({ from: m[1]!, name: m[2], instructions: [] });
    } else {
      assert.ok(stages.length > 0, `${op} before FROM`);
      stages.at(-1)!.instructions.push({ op: op!.toUpperCase(), args });
    }
  }
  return stages;
}

const stages = parseDockerfile(read('Dockerfile'));
const [build, runtime] = stages as [Stage, Stage];
const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

test('two stages on node:20-bookworm-slim: a named build stage and the runtime', () => {
  assert.equal(stages.length, 2);
  assert.equal(build.from, 'node:20-bookworm-slim');
  assert.equal(build.name, 'build');
  assert.equal(runtime.from, 'node:20-bookworm-slim');
  const buildRuns = build.instructions.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
  for (const pkg of ['python3', 'make', 'g++']) assert.match(buildRuns, new RegExp(`install .*${pkg.replace('+', '\\+')}`));
  assert.match(buildRuns, /npm ci/);
});

test('the runtime stage installs production dependencies only and no compilers', () => {
  const runs = runtime.instructions.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
  assert.match(runs, /npm ci --omit=dev/);
  assert.doesNotMatch(runs, /g\+\+|python3|make /);
});

test('what the Dockerfile copies from the repository exists and is not excluded by .dockerignore', () => {
  for (const stage of stages) {
    for (const copy of stage.instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from='))) {
      const parts = copy.args.split(/\s+/);
      for (const source of parts.slice(0, -1)) {
        if (source === '.') continue;
        assert.ok(existsSync(new URL(source, root)), `COPY ${source}: not in the repository`);
        assert.ok(!ignored.some((pattern) => source.startsWith(pattern.replace(/\/$/, ''))), `COPY ${source}: excluded by .dockerignore`);
      }
    }
  }
  // What the build needs must not be ignored.
  for (const needed of ['package.json', 'package-lock.json', '.npmrc', 'tsconfig.json', 'native/binding.gyp', 'src/cmd/main.ts']) {
    assert.ok(!ignored.some((p) => needed.startsWith(p.replace(/\/$/, ''))), `${needed} is ignored`);
  }
});

test('what the runtime copies from the build stage is what the build produces and where the code looks for it', () => {
  const fromBuild = runtime.instructions.filter((i) => i.op === 'COPY' && i.args.startsWith('--from=build'))
    .map((i) => i.args.split(/\s+/).slice(1) as [string, string]);
  const tsconfig = JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string } };
  const gyp = JSON.parse(read('native/binding.gyp')) as { targets: { target_name: string }[] };
  const addon = `native/build/Release/${gyp.targets[0]!.target_name}.node`;
  assert.deepEqual(fromBuild, [
    [`/src/${tsconfig.compilerOptions.outDir}/src`, `./${tsconfig.compilerOptions.outDir}/src`],
    [`/src/${addon}`, `./${addon}`],
  ]);
  assert.ok(read('src/net/native.ts').includes(`'../../../${addon}'`), 'net/native.ts loads the addon from the copied path');
  const workdir = runtime.instructions.filter((i) => i.op === 'WORKDIR').map((i) => i.args);
  assert.deepEqual(workdir, ['/app']);
});

test('the entry point is the package\'s bin, run under tini, as a non-root user by default', () => {
  const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string> };
  const entry = JSON.parse(runtime.instructions.find((i) => i.op === 'ENTRYPOINT')!.args) as string[];
  assert.deepEqual(entry, ['/usr/bin/tini', '--', 'node', `/app/${pkg.bin['metallb-ts']!}`]);
  assert.match(runtime.instructions.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n'), /install .*tini/);
  const user = runtime.instructions.find((i) => i.op === 'USER')?.args;
  assert.equal(user, '65534:65534');
});
