import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp } from '../../lib/ip.js';
import { defaultExcludedInterfaces, eligibility, excludePattern, type InterfaceInfo } from './interfaces.js';
import { parseIfInet6 } from '../../net/sysfs-interfaces.js';

const eth0: InterfaceInfo = {
  name: 'eth0', index: 2, mac: '02:00:00:00:00:0b', up: true, broadcast: true, noArp: false, enslaved: false,
  ipv6LinkLocal: parseIp('fe80::ff:fe00:b'),
};

test('MetalLB\'s default exclusion list hides container, bridge and tunnel interfaces but not uplinks', () => {
  const exclude = excludePattern(defaultExcludedInterfaces);
  for (const name of ['lo', 'docker0', 'cbr0', 'dummy0', 'virbr0', 'lxcbr0', 'veth1234', 'cali99', 'tunl0', 'flannel.1',
    'kube-ipvs0', 'cni0', 'nodelocaldns', 'lxc12']) {
    assert.equal(eligibility({ ...eth0, name }, exclude), undefined, name);
  }
  for (const name of ['eth0', 'ens3', 'bond0', 'br-lan', 'enp0s31f6', 'lo0', 'vlan100']) {
    assert.deepEqual(eligibility({ ...eth0, name }, exclude), { arp: true, ndp: true }, name);
  }
  assert.equal(excludePattern([]), undefined);
  assert.equal(excludePattern(['^eth1$', '^bond'])?.source, '(^eth1$)|(^bond)');
});

test('eligibility: down, enslaved and NOARP interfaces get no responder; ARP needs BROADCAST, NDP a link-local', () => {
  const table: [Partial<InterfaceInfo>, { arp: boolean; ndp: boolean }][] = [
    [{}, { arp: true, ndp: true }],
    [{ up: false }, { arp: false, ndp: false }],
    [{ enslaved: true }, { arp: false, ndp: false }],
    [{ noArp: true }, { arp: false, ndp: false }],
    [{ broadcast: false }, { arp: false, ndp: true }],
    [{ ipv6LinkLocal: undefined }, { arp: true, ndp: false }],
    [{ mac: undefined }, { arp: false, ndp: false }],
  ];
  for (const [change, expected] of table) assert.deepEqual(eligibility({ ...eth0, ...change }, undefined), expected, JSON.stringify(change));
});

test('/proc/net/if_inet6 yields the first link-local address of each interface', () => {
  const text = [
    '00000000000000000000000000000001 01 80 10 80       lo',
    'fd000100000000000000000000000011 02 40 00 80     eth0',
    'fe8000000000000000ff00fffe00000b 02 40 20 80     eth0',
    'fe800000000000000000000000000002 02 40 20 80     eth0',
  ].join('\n');
  const map = parseIfInet6(text);
  assert.deepEqual(map.get('eth0'), parseIp('fe80::ff:ff:fe00:b'));
  assert.equal(map.has('lo'), false);
});
