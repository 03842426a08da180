// The smallest proof that the network tier is real on this machine: two namespaces joined by a veth pair,
// a ping across, and nothing left behind.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describeNetwork, runPrefix } from '../support/network-tier.js';

describeNetwork('network tier', { binaries: ['ping'] }, () => {
  const prefix = runPrefix();
  const a = `${prefix}-a`;
  const b = `${prefix}-b`;
  const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });

  after(() => {
    for (const ns of [a, b]) {
      try { ip('netns', 'del', ns); } catch { /* already gone */ }
    }
  });

  test('two namespaces joined by a veth pair reach each other, and are removed afterwards', () => {
    ip('netns', 'add', a);
    ip('netns', 'add', b);
    ip('link', 'add', 'eth0', 'netns', a, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', b);
    ip('-n', a, 'addr', 'add', '10.250.0.1/30', 'dev', 'eth0');
    ip('-n', b, 'addr', 'add', '10.250.0.2/30', 'dev', 'eth0');
    ip('-n', a, 'link', 'set', 'eth0', 'up');
    ip('-n', b, 'link', 'set', 'eth0', 'up');
    const out = execFileSync('ip', ['netns', 'exec', a, 'ping', '-c1', '-W2', '10.250.0.2'], { encoding: 'utf8' });
    assert.match(out, /1 received/);
    ip('netns', 'del', a);
    ip('netns', 'del', b);
    const left = ip('netns', 'list');
    assert.ok(!left.includes(prefix), `namespaces left behind: ${left}`);
  });
});
