// Explicit assignment (MetalLB's TestAssignment family): requested addresses, idempotence, stealing, buggy
// addresses, sharing keys, backend keys, ports, dual-stack pairs and pool pinning on explicit requests.
import { test } from 'node:test';
import { Allocator } from './allocator.js';
import { ips, pool, ports, subject } from '../../test/support/ipam.js';
import { runSteps, type Step } from '../../test/support/scenario.js';

function allocator(): Allocator {
  const a = new Allocator();
  a.setPools([
    pool('test', ['1.2.3.4/31', '1000::4/127']),
    pool('test2', ['1.2.4.0/24', '1000::4:0/120'], { avoidBuggyIPs: true }),
    pool('test3', ['1.2.5.0/24'], { namespaces: ['test-ns1'] }),
    pool('test4', ['1.2.6.0/24'], { serviceSelectors: [{ matchLabels: { team: 'metallb' } }] }),
    pool('test5', ['1.2.7.0/24'], { priority: 20, namespaces: ['test-ns1'], serviceSelectors: [{ matchLabels: { team: 'metallb' } }] }),
    pool('test6', ['1.2.8.0/24'], { priority: 20, namespaces: ['test-ns2'], serviceSelectors: [{ matchLabels: { foo: 'bar' } }] }),
  ]);
  return a;
}

const shared = { sharingKey: 'share', ports: ports('tcp/80') };

const v4Steps: Step<Allocator>[] = [
  { desc: 's1 gets the address it asks for', run: (a) => a.assign(subject('s1'), ips('1.2.3.4')), want: ['1.2.3.4'] },
  { desc: 's1 asking again changes nothing', run: (a) => a.assign(subject('s1'), ips('1.2.3.4')), want: ['1.2.3.4'] },
  { desc: "s2 can't grab s1's address", run: (a) => a.assign(subject('s2'), ips('1.2.3.4')), want: 'sharingKeyInUse',
    message: `can't change sharing key for "s2", address also in use by s1` },
  { desc: 's2 gets the other address', run: (a) => a.assign(subject('s2'), ips('1.2.3.5')), want: ['1.2.3.5'] },
  { desc: 's1 moves to an address of another pool', run: (a) => a.assign(subject('s1'), ips('1.2.4.3')), want: ['1.2.4.3'] },
  { desc: "s2 can take s1's former address", run: (a) => a.assign(subject('s2'), ips('1.2.3.4')), want: ['1.2.3.4'] },
  { desc: "s3 can take s2's former address", run: (a) => a.assign(subject('s3'), ips('1.2.3.5')), want: ['1.2.3.5'] },
  { desc: 'an address outside every pool is not allowed', run: (a) => a.assign(subject('s4'), ips('1.2.9.1')), want: 'notInConfig',
    message: '["1.2.9.1"] is not allowed in config' },
  { desc: 'a .0 address of an avoidBuggyIPs pool is not allowed', run: (a) => a.assign(subject('s4'), ips('1.2.4.0')), want: 'notInConfig' },
  { desc: 'a .255 address of an avoidBuggyIPs pool is not allowed', run: (a) => a.assign(subject('s4'), ips('1.2.4.255')), want: 'notInConfig' },
  { desc: 'a .254 address of an avoidBuggyIPs pool is fine', run: (a) => a.assign(subject('s4'), ips('1.2.4.254')), want: ['1.2.4.254'] },
  { desc: 's1 enables sharing on its address', run: (a) => a.assign(subject('s1', shared), ips('1.2.4.3')), want: ['1.2.4.3'] },
  { desc: 's3 shares it with another port', run: (a) => a.assign(subject('s3', { sharingKey: 'share', ports: ports('tcp/443') }), ips('1.2.4.3')), want: ['1.2.4.3'] },
  { desc: 's4 cannot take a port already used on the shared address', run: (a) => a.assign(subject('s4', shared), ips('1.2.4.3')), want: 'portInUse',
    message: 'port TCP/80 is already in use on "1.2.4.3"' },
  { desc: 'TCP and UDP on the same port number do not clash', run: (a) => a.assign(subject('s4', { sharingKey: 'share', ports: ports('udp/80') }), ips('1.2.4.3')), want: ['1.2.4.3'] },
  { desc: 'a different sharing key cannot join', run: (a) => a.assign(subject('s5', { sharingKey: 'other', ports: ports('tcp/81') }), ips('1.2.4.3')), want: 'sharingKeyInUse',
    message: `can't change sharing key for "s5", address also in use by s1,s3,s4` },
  { desc: 'an empty sharing key never shares', run: (a) => a.assign(subject('s5', { ports: ports('tcp/81') }), ips('1.2.4.3')), want: 'sharingKeyInUse' },
  { desc: 'a different backend key cannot join', run: (a) => a.assign(subject('s5', { sharingKey: 'share', backendKey: 'app=web', ports: ports('tcp/81') }), ips('1.2.4.3')), want: 'sharingKeyInUse' },
  { desc: 's1 changes its port and keeps the shared address', run: (a) => a.assign(subject('s1', { sharingKey: 'share', ports: ports('tcp/8080') }), ips('1.2.4.3')), want: ['1.2.4.3'] },
  { desc: "s5 can now use s1's former port", run: (a) => a.assign(subject('s5', shared), ips('1.2.4.3')), want: ['1.2.4.3'] },
  { desc: 's1 cannot change its key while others share the address', run: (a) => a.assign(subject('s1', { sharingKey: 'new', ports: ports('tcp/8080') }), ips('1.2.4.3')), want: 'sharingKeyInUse' },
  { desc: 's6 takes the address s4 left, with a sharing key', run: (a) => a.assign(subject('s6', { sharingKey: 'new' }), ips('1.2.4.254')), want: ['1.2.4.254'] },
  { desc: 'the sole user of an address changes its sharing key in place', run: (a) => a.assign(subject('s6', { sharingKey: 'other' }), ips('1.2.4.254')), want: ['1.2.4.254'] },
  { desc: 'the new key is the one others must match', run: (a) => a.assign(subject('s7', { sharingKey: 'new', ports: ports('tcp/1') }), ips('1.2.4.254')), want: 'sharingKeyInUse' },
];

test('explicit IPv4 assignment follows the sharing rules', async (t) => runSteps(t, allocator(), v4Steps));

const v6Steps: Step<Allocator>[] = [
  { desc: 's1 gets the IPv6 address it asks for', run: (a) => a.assign(subject('s1', { family: 'IPv6' }), ips('1000::4')), want: ['1000::4'] },
  { desc: "s2 can't grab s1's IPv6 address", run: (a) => a.assign(subject('s2', { family: 'IPv6' }), ips('1000::4')), want: 'sharingKeyInUse' },
  { desc: 's2 gets the other IPv6 address', run: (a) => a.assign(subject('s2', { family: 'IPv6' }), ips('1000::5')), want: ['1000::5'] },
  { desc: 's1 frees its address and s3 takes it', run: (a) => { a.unassign('s1'); return a.assign(subject('s3', { family: 'IPv6' }), ips('1000::4')); }, want: ['1000::4'] },
  { desc: 'IPv6 addresses are never buggy', run: (a) => a.assign(subject('s4', { family: 'IPv6' }), ips('1000::4:0')), want: ['1000::4:0'] },
  { desc: 'shared IPv6 addresses need the same key', run: (a) => a.assign(subject('s5', { family: 'IPv6', ...shared }), ips('1000::4:0')), want: 'sharingKeyInUse' },
  { desc: 's4 enables sharing and s5 joins', run: (a) => {
    a.assign(subject('s4', { family: 'IPv6', sharingKey: 'share', ports: ports('tcp/443') }), ips('1000::4:0'));
    return a.assign(subject('s5', { family: 'IPv6', ...shared }), ips('1000::4:0'));
  }, want: ['1000::4:0'] },
];

test('explicit IPv6 assignment follows the same rules', async (t) => runSteps(t, allocator(), v6Steps));

const dualSteps: Step<Allocator>[] = [
  { desc: 'a dual-stack pair from one pool is assigned', run: (a) => a.assign(subject('s1', { family: 'dual', ipFamilyPolicy: 'RequireDualStack' }), ips('1.2.3.4', '1000::4')), want: ['1.2.3.4', '1000::4'] },
  { desc: 'a pair whose addresses are in two pools is not allowed', run: (a) => a.assign(subject('s2', { family: 'dual' }), ips('1.2.3.5', '1000::4:1')), want: 'notInConfig',
    message: '["1.2.3.5" "1000::4:1"] is not allowed in config' },
  { desc: 'two addresses of one family are refused', run: (a) => a.assign(subject('s2', { family: 'dual' }), ips('1.2.4.1', '1.2.4.2')), want: 'sameFamily',
    message: '"1.2.4.1" "1.2.4.2" has the same family' },
  { desc: 'three addresses are refused', run: (a) => a.assign(subject('s2', { family: 'dual' }), ips('1.2.4.1', '1000::4:1', '1.2.4.2')), want: 'tooManyAddresses' },
  { desc: 'a pair is refused when its IPv6 half is taken', run: (a) => a.assign(subject('s2', { family: 'dual' }), ips('1.2.3.5', '1000::4')), want: 'sharingKeyInUse' },
];

test('explicit dual-stack assignment takes both addresses from one pool', async (t) => runSteps(t, allocator(), dualSteps));

const pinningSteps: Step<Allocator>[] = [
  { desc: 'a namespace-pinned pool accepts its namespace', run: (a) => a.assign(subject('test-ns1/s1'), ips('1.2.5.1')), want: ['1.2.5.1'] },
  { desc: 'a namespace-pinned pool refuses another namespace', run: (a) => a.assign(subject('test-ns2/s1'), ips('1.2.5.2')), want: 'poolIncompatible',
    message: 'pool test3 not compatible for ip assignment' },
  { desc: 'a selector-pinned pool accepts a matching Service from any namespace', run: (a) => a.assign(subject('any/s2', { labels: { team: 'metallb' } }), ips('1.2.6.1')), want: ['1.2.6.1'] },
  { desc: 'a selector-pinned pool refuses a Service without the label', run: (a) => a.assign(subject('any/s3'), ips('1.2.6.2')), want: 'poolIncompatible' },
  { desc: 'namespace and selector must both match (namespace and label)', run: (a) => a.assign(subject('test-ns1/s4', { labels: { team: 'metallb' } }), ips('1.2.7.1')), want: ['1.2.7.1'] },
  { desc: 'namespace and selector must both match (namespace only)', run: (a) => a.assign(subject('test-ns1/s5'), ips('1.2.7.2')), want: 'poolIncompatible' },
  { desc: 'namespace and selector must both match (label only)', run: (a) => a.assign(subject('test-ns2/s6', { labels: { team: 'metallb' } }), ips('1.2.7.3')), want: 'poolIncompatible' },
  { desc: 'a second pool with both restrictions applies its own', run: (a) => a.assign(subject('test-ns2/s7', { labels: { foo: 'bar' } }), ips('1.2.8.1')), want: ['1.2.8.1'] },
];

test('explicit requests still honour serviceAllocation restrictions', async (t) => runSteps(t, allocator(), pinningSteps));
