import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp } from '../../lib/ip.js';
import { Announcements } from './announcements.js';
import { ip } from './test-frames.test-data.js';

const texts = (ips: readonly { family: 'IPv4' | 'IPv6'; value: bigint }[]) => ips.map(formatIp);

test('an IP shared by two services stays announced until the last one lets go', () => {
  const a = new Announcements();
  assert.deepEqual(texts(a.set('default/web', [ip('10.200.0.10')], 'all').started), ['10.200.0.10']);
  assert.deepEqual(texts(a.set('default/dns', [ip('10.200.0.10')], 'all').started), []);
  assert.deepEqual(texts(a.delete('default/web').stopped), []);
  assert.equal(a.isHeld(ip('10.200.0.10')), true);
  assert.deepEqual(texts(a.delete('default/dns').stopped), ['10.200.0.10']);
  assert.equal(a.isHeld(ip('10.200.0.10')), false);
  assert.deepEqual(a.delete('default/dns'), { started: [], stopped: [] });
});

test('set replaces a service\'s IPs: dropped ones stop, new ones start, kept ones are untouched', () => {
  const a = new Announcements();
  a.set('ns/svc', [ip('10.200.0.10'), ip('fd00:200::10')], 'all');
  const change = a.set('ns/svc', [ip('fd00:200::10'), ip('10.200.0.11'), ip('10.200.0.11')], 'all');
  assert.deepEqual(texts(change.stopped), ['10.200.0.10']);
  assert.deepEqual(texts(change.started), ['10.200.0.11']);
  assert.deepEqual(texts(a.get('ns/svc')!.ips), ['fd00:200::10', '10.200.0.11']);
  assert.deepEqual(texts(a.heldIps()).sort(), ['10.200.0.11', 'fd00:200::10']);
});

test('an IP is answered on an interface any holder allows, refused elsewhere with interfaceNotMatched', () => {
  const a = new Announcements();
  a.set('ns/a', [ip('10.200.0.10')], new Set(['eth1']));
  assert.equal(a.policy(ip('10.200.0.10'), 'eth1'), undefined);
  assert.equal(a.policy(ip('10.200.0.10'), 'eth0'), 'interfaceNotMatched');
  assert.equal(a.policy(ip('10.200.0.99'), 'eth0'), 'notAnnounced');
  a.set('ns/b', [ip('10.200.0.10')], 'all');
  assert.equal(a.policy(ip('10.200.0.10'), 'eth0'), undefined);
  a.set('ns/b', [ip('10.200.0.10')], new Set(['eth2']));
  assert.equal(a.policy(ip('10.200.0.10'), 'eth0'), 'interfaceNotMatched');
});
