import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp } from '../../lib/ip.js';
import { defaultTopology, linkAddress, planMac } from './topology.js';
import { renderRuleset } from './kube-proxy.js';
import { parseNeighborEvent } from './neighbor-monitor.js';
import { parseIpAddrJson } from './interfaces.js';

test('the default plan: nodes from .11 with MACs that end in their host octet, router .1 with the outside behind it, client .100', () => {
  const spec = defaultTopology('mt0000', { nodes: 2 });
  assert.deepEqual(spec.hosts.map((h) => [h.name, h.lan.mac, linkAddress(h.lan, 4), linkAddress(h.lan, 6)]), [
    ['node1', '02:00:00:00:00:0b', '10.100.0.11', 'fd00:100::11'],
    ['node2', '02:00:00:00:00:0c', '10.100.0.12', 'fd00:100::12'],
    ['router', '02:00:00:00:00:01', '10.100.0.1', 'fd00:100::1'],
    ['client', '02:00:00:00:00:64', '10.100.0.100', 'fd00:100::100'],
  ]);
  assert.deepEqual(spec.hosts.find((h) => h.name === 'client')?.onLinkRoutes, ['10.200.0.0/24', 'fd00:200::/64']);
  assert.equal(spec.hosts.find((h) => h.name === 'router')?.sysctls['net.ipv4.fib_multipath_hash_policy'], 1);
  assert.deepEqual(spec.uplink?.outside.gateways, ['10.99.0.1', 'fd00:99::1']);
  const bare = defaultTopology('mt0000', { nodes: 1, router: false });
  assert.deepEqual(bare.hosts.map((h) => h.name), ['node1', 'client']);
  assert.deepEqual(bare.hosts[0]?.gateways, []);
  assert.equal(bare.uplink, undefined);
  assert.equal(planMac(0x63, 2), '02:00:00:00:63:02');
});

test('the kube-proxy ruleset DNATs per family, spreads over several backends and drops a service with none', () => {
  const rules = [
    { ip: '10.200.0.10', port: 80, protocol: 'tcp' as const, backends: [{ ip: '10.100.0.11', port: 8080 }] },
    { ip: '10.200.0.11', port: 53, protocol: 'udp' as const, backends: [{ ip: '10.100.0.11', port: 5353 }, { ip: '10.100.0.12', port: 5353 }] },
    { ip: '10.200.0.12', port: 80, protocol: 'tcp' as const, backends: [] },
    { ip: 'fd00:200::10', port: 80, protocol: 'tcp' as const, backends: [{ ip: 'fd00:100::11', port: 8080 }] },
  ];
  const v4 = renderRuleset('ip', rules);
  assert.match(v4, /ip daddr 10\.200\.0\.10 tcp dport 80 dnat to 10\.100\.0\.11:8080/);
  assert.match(v4, /ip daddr 10\.200\.0\.11 udp dport 53 dnat to numgen random mod 2 map \{ 0 : 10\.100\.0\.11 \. 5353, 1 : 10\.100\.0\.12 \. 5353 \}/);
  assert.match(v4, /ip daddr 10\.200\.0\.12 tcp dport 80 drop/);
  assert.doesNotMatch(v4, /fd00/);
  assert.match(v4, /^add table ip mlbts_kube_proxy\ndelete table ip mlbts_kube_proxy\n/);
  assert.match(renderRuleset('ip6', rules), /ip6 daddr fd00:200::10 tcp dport 80 dnat to \[fd00:100::11\]:8080/);
});

test('ip monitor lines parse to the address, link-layer address and microsecond time', () => {
  const e = parseNeighborEvent('[2026-11-26T05:40:45.840572] 10.1.1.1 dev va lladdr 02:00:00:00:00:01 STALE ');
  assert.equal(e?.ip, '10.1.1.1');
  assert.equal(e?.lladdr, '02:00:00:00:00:01');
  assert.ok(Math.abs(e!.atWallMs - Date.parse('2026-11-26T05:40:45') - 840.572) < 0.001);
  assert.equal(parseNeighborEvent('[2026-11-26T05:40:45.840572] Deleted fd00::1 dev va lladdr 02:00:00:00:00:03 STALE')?.lladdr, undefined);
  assert.equal(parseNeighborEvent('something else'), undefined);
});

test('ip -j addr output maps to the announcer\'s interface view', () => {
  const json = JSON.stringify([
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], address: '00:00:00:00:00:00', addr_info: [{ family: 'inet6', local: '::1', scope: 'host' }] },
    { ifindex: 2, ifname: 'eth0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], address: '02:00:00:00:00:0B',
      addr_info: [{ family: 'inet', local: '10.100.0.11', scope: 'global' }, { family: 'inet6', local: 'fe80::ff:fe00:b', scope: 'link' }] },
    { ifindex: 3, ifname: 'p1', flags: ['BROADCAST', 'NOARP', 'UP'], master: 'br0', address: '02:00:00:00:00:0c' },
  ]);
  const [lo, eth0, p1] = parseIpAddrJson(json);
  assert.deepEqual(eth0, { name: 'eth0', index: 2, mac: '02:00:00:00:00:0b', up: true, broadcast: true, noArp: false, enslaved: false, ipv6LinkLocal: parseIp('fe80::ff:fe00:b') });
  assert.equal(lo?.broadcast, false);
  assert.equal(lo?.ipv6LinkLocal, undefined);
  assert.equal(p1?.enslaved, true);
  assert.equal(p1?.noArp, true);
});
