import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, type IpAddress } from '../../lib/ip.js';
import { decodeEthernet } from '../../protocol/ethernet/ethernet.js';
import { decodeNdpPacket } from '../../protocol/ndp/ndp-frame.js';
import { targetLinkLayerOption } from '../../protocol/ndp/ndp-options.js';
import { kernelDadProbe, kernelNeighborAdvertisement, kernelNeighborSolicitation, kernelRouterSolicitation } from '../../protocol/golden-frames.test-data.js';
import { answerNdp, unsolicitedAdvertisementFrame } from './ndp-answer.js';
import { dropReasons, type AnswerPolicy } from './drop-reasons.js';
import { clientIpv6, clientMac, ip, neighborSolicitationFrame } from './test-frames.test-data.js';

const iface = { name: 'eth0', mac: '02:00:00:00:00:0b', linkLocal: ip('fe80::ff:fe00:b') };
const announced = (...ips: string[]): AnswerPolicy => (target: IpAddress) =>
  (ips.includes(formatIp(target)) ? undefined : dropReasons.notAnnounced);
const vip = announced('fd00:200::10', 'fd00:100::11');

test('which NDP frames are answered', () => {
  const table: [string, Uint8Array, string][] = [
    ['a solicitation from the Linux kernel is answered', kernelNeighborSolicitation, 'reply'],
    ['a multicast solicitation with a source link-layer option is answered', neighborSolicitationFrame('fd00:200::10'), 'reply'],
    ['a unicast NUD solicitation to the VIP at our MAC is answered',
      neighborSolicitationFrame('fd00:200::10', { destination: ip('fd00:200::10'), ethernetDestination: iface.mac }), 'reply'],
    ['a DAD probe from the kernel is ignored', kernelDadProbe, dropReasons.noSourceLinkLayer],
    ['a solicitation without a source link-layer option is ignored', neighborSolicitationFrame('fd00:200::10', { options: [] }), dropReasons.noSourceLinkLayer],
    ['a solicitation with only a target link-layer option is ignored',
      neighborSolicitationFrame('fd00:200::10', { options: [targetLinkLayerOption(clientMac)] }), dropReasons.noSourceLinkLayer],
    ['a solicitation that was routed (hop limit 64) is invalid', neighborSolicitationFrame('fd00:200::10', { hopLimit: 64 }), dropReasons.invalid],
    ['a solicitation unicast to another host\'s MAC is ignored',
      neighborSolicitationFrame('fd00:200::10', { destination: ip('fd00:200::10'), ethernetDestination: '02:00:00:00:00:0c' }), dropReasons.ethernetDestination],
    ['a solicitation for an IP we do not announce is ignored', neighborSolicitationFrame('fd00:200::11'), dropReasons.notAnnounced],
    ['an advertisement is not a request', kernelNeighborAdvertisement, dropReasons.notRequest],
    ['a router solicitation is not a request', kernelRouterSolicitation, dropReasons.notRequest],
    ['garbage is malformed', new Uint8Array(70).fill(0x86), dropReasons.malformed],
  ];
  for (const [name, frame, expected] of table) {
    const outcome = answerNdp(frame, iface, vip);
    assert.equal(outcome.kind === 'reply' ? 'reply' : outcome.reason, expected, name);
  }
});

test('the advertisement goes from our link-local to the solicitor: Solicited, not Override, hop limit 255, our MAC', () => {
  const outcome = answerNdp(neighborSolicitationFrame('fd00:200::10'), iface, vip);
  assert.ok(outcome.kind === 'reply');
  const ethernet = decodeEthernet(outcome.frame);
  assert.equal(ethernet.destination, clientMac);
  assert.equal(ethernet.source, iface.mac);
  const packet = decodeNdpPacket(ethernet.payload)!;
  assert.equal(packet.ip.hopLimit, 255);
  assert.deepEqual(packet.ip.source, iface.linkLocal);
  assert.deepEqual(packet.ip.destination, clientIpv6);
  assert.deepEqual(packet.message, {
    type: 136, router: false, solicited: true, override: false,
    targetAddress: ip('fd00:200::10'), options: [targetLinkLayerOption(iface.mac)],
  });
});

test('the unsolicited advertisement goes to all nodes with Override set and Solicited clear', () => {
  const ethernet = decodeEthernet(unsolicitedAdvertisementFrame(iface, ip('fd00:200::10')));
  assert.equal(ethernet.destination, '33:33:00:00:00:01');
  const packet = decodeNdpPacket(ethernet.payload)!;
  assert.deepEqual(packet.ip.destination, ip('ff02::1'));
  assert.equal(packet.ip.hopLimit, 255);
  assert.deepEqual(packet.message, {
    type: 136, router: false, solicited: false, override: true,
    targetAddress: ip('fd00:200::10'), options: [targetLinkLayerOption(iface.mac)],
  });
});
