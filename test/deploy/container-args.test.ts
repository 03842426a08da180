/**
 * The arguments the manifests give each container are ones its command accepts: the rendered args are run
 * through the real CLI's `--help` (a pod whose command rejects a flag crash-loops, and nothing else would say so
 * before a cluster does).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultInstallOptions } from '../../src/deploy/install-options.js';
import { installObjects } from '../../src/deploy/manifests.js';

const main = fileURLToPath(new URL('../../src/cmd/main.js', import.meta.url));

function helpOf(command: string): string | undefined {
  const r = spawnSync(process.execPath, [main, command, '--help'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.startsWith(`Usage: metallb-ts ${command} `) ? r.stdout : undefined;
}

function containerArgs(kind: string): string[] {
  const options = { ...defaultInstallOptions('test'), lbClass: 'some-class' };
  const obj = installObjects(options).find((o) => o.kind === kind) as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
  return obj.spec.template.spec.containers[0]!.args;
}

for (const [kind, command] of [['Deployment', 'controller'], ['DaemonSet', 'speaker']] as const) {
  const help = helpOf(command);
  test(`the ${kind}'s arguments are options of \`metallb-ts ${command}\``,
    { skip: help === undefined ? `metallb-ts has no ${command} command yet: its arguments are unchecked` : false }, () => {
      const [first, ...flags] = containerArgs(kind);
      assert.equal(first, command);
      for (const flag of flags) {
        const name = flag.split('=')[0]!;
        assert.match(help!, new RegExp(`(^|\\s|, )${name}[ =<,]`, 'm'), `${name} is not an option of metallb-ts ${command}`);
      }
    });
}
