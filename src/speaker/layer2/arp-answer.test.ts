import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, type IpAddress } from '../../lib/ip.js';
import { arpOperation, decodeArp } from '../../protocol/arp/arp.js';
import { decodeEthernet } from '../../protocol/ethernet/ethernet.js';
import { answerArp, gratuitousArpFrames } from './arp-answer.js';
import { dropReasons, type AnswerPolicy } from './drop-reasons.js';
import { arpRequestFrame, clientIpv4, clientMac, ip } from './test-frames.test-data.js';

const iface = { name: 'eth0', mac: '02:00:00:00:00:0b' };
const announced = (...ips: string[]): AnswerPolicy => (target: IpAddress) =>
  (ips.includes(formatIp(target)) ? undefined : dropReasons.notAnnounced);

test('which ARP frames are answered (MetalLB TestARPResponder cases)', () => {
  const table: [string, Uint8Array, AnswerPolicy, string][] = [
    ['an ARP reply is ignored', arpRequestFrame('10.200.0.10', { operation: arpOperation.reply }), announced('10.200.0.10'), dropReasons.notRequest],
    ['a request to another host\'s MAC is ignored', arpRequestFrame('10.200.0.10', { destination: '06:05:04:03:02:01' }), announced('10.200.0.10'), dropReasons.ethernetDestination],
    ['a unicast request to our MAC is answered', arpRequestFrame('10.200.0.10', { destination: iface.mac }), announced('10.200.0.10'), 'reply'],
    ['a broadcast request is answered', arpRequestFrame('10.200.0.10'), announced('10.200.0.10'), 'reply'],
    ['a request for an IP we do not announce is ignored', arpRequestFrame('10.200.0.11'), announced('10.200.0.10'), dropReasons.notAnnounced],
    ['the policy\'s reason is the drop reason', arpRequestFrame('10.200.0.10'), () => dropReasons.interfaceNotMatched, dropReasons.interfaceNotMatched],
    ['an RFC 5227 probe (sender 0.0.0.0) is answered', arpRequestFrame('10.200.0.10', { sender: ip('0.0.0.0') }), announced('10.200.0.10'), 'reply'],
    ['garbage is malformed', Uint8Array.of(1, 2, 3), announced('10.200.0.10'), dropReasons.malformed],
  ];
  for (const [name, frame, policy, expected] of table) {
    const outcome = answerArp(frame, iface, policy);
    assert.equal(outcome.kind === 'reply' ? 'reply' : outcome.reason, expected, name);
  }
});

test('the reply goes to the requester and says the target IP is at the receiving interface\'s MAC', () => {
  const outcome = answerArp(arpRequestFrame('10.200.0.10'), iface, announced('10.200.0.10'));
  assert.equal(outcome.kind, 'reply');
  if (outcome.kind !== 'reply') return;
  const ethernet = decodeEthernet(outcome.frame);
  assert.equal(ethernet.destination, clientMac);
  assert.equal(ethernet.source, iface.mac);
  assert.deepEqual(decodeArp(ethernet.payload), {
    operation: arpOperation.reply,
    senderHardwareAddress: iface.mac,
    senderProtocolAddress: ip('10.200.0.10'),
    targetHardwareAddress: clientMac,
    targetProtocolAddress: clientIpv4,
  });
  assert.equal(outcome.frame.length, 60, 'padded to the Ethernet minimum');
});

test('gratuitous ARP is a broadcast request and a broadcast reply, both naming the VIP as sender and target', () => {
  const frames = gratuitousArpFrames(iface.mac, ip('10.200.0.10')).map((f) => decodeEthernet(f));
  assert.deepEqual(frames.map((f) => f.destination), ['ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff']);
  const packets = frames.map((f) => decodeArp(f.payload));
  assert.deepEqual(packets.map((p) => p.operation), [arpOperation.request, arpOperation.reply]);
  for (const p of packets) {
    assert.equal(p.senderHardwareAddress, iface.mac);
    assert.equal(p.targetHardwareAddress, 'ff:ff:ff:ff:ff:ff');
    assert.deepEqual(p.senderProtocolAddress, ip('10.200.0.10'));
    assert.deepEqual(p.targetProtocolAddress, ip('10.200.0.10'));
  }
});
