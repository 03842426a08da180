/**
 * A layer-2 client for tests and benchmarks: packet sockets in a host's namespace (opened from this
 * process) that send ARP requests and Neighbor Solicitations built with our codecs, and collect the answers
 * with their arrival time. It sees exactly what is on the wire, independent of the kernel's neighbor cache.
 */
import { formatIp, ipEquals, type IpAddress } from '../../lib/ip.js';
import { NativePacketConn } from '../../net/native-packet-conn.js';
import { arpOperation, decodeArp, encodeArp } from '../../protocol/arp/arp.js';
import { decodeEthernet, encodeEthernet, etherType } from '../../protocol/ethernet/ethernet.js';
import { broadcastMac, zeroMac, type MacAddress } from '../../protocol/ethernet/mac.js';
import { icmpv6Type } from '../../protocol/ndp/icmpv6.js';
import { multicastMac, solicitedNodeAddress } from '../../protocol/ndp/ipv6-addresses.js';
import { decodeNdpPacket, encodeNdpPacket } from '../../protocol/ndp/ndp-frame.js';
import { sourceLinkLayerOption } from '../../protocol/ndp/ndp-options.js';
import { WireError } from '../../protocol/wire/wire-error.js';

export interface Answer {
  /** Who answered (the MAC the answer names for the target). */
  readonly mac: MacAddress;
  readonly target: string;
  readonly atMs: number;
  readonly kind: 'arp-reply' | 'arp-request' | 'na';
  /** NA flags, for advertisements. */
  readonly solicited?: boolean;
  readonly override?: boolean;
}

export interface ProbeHost {
  readonly netns: string;
  readonly ifname: string;
  readonly mac: MacAddress;
  readonly ipv4: IpAddress;
  readonly ipv6: IpAddress;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class L2Probe {
  readonly host: ProbeHost;
  /** Every ARP/NA frame seen since open (replies, gratuitous ARP, unsolicited NAs), unless `keepAnswers` is off. */
  readonly answers: Answer[] = [];
  /** Set to false to stop recording (benchmarks); `onAnswer` still fires. */
  keepAnswers = true;
  /** Called for every answer as it arrives. */
  onAnswer: ((answer: Answer) => void) | undefined;
  private readonly arp: NativePacketConn;
  private readonly ipv6: NativePacketConn;

  private constructor(host: ProbeHost) {
    this.host = host;
    this.arp = NativePacketConn.open({ ifname: host.ifname, ethertype: etherType.arp, netns: host.netns });
    try {
      this.ipv6 = NativePacketConn.open({ ifname: host.ifname, ethertype: etherType.ipv6, netns: host.netns });
    } catch (err) {
      this.arp.close();
      throw err;
    }
    this.arp.start((f) => this.onArp(f));
    this.ipv6.start((f) => this.onIpv6(f));
  }

  static open(host: ProbeHost): L2Probe {
    return new L2Probe(host);
  }

  private onArp(frame: Uint8Array): void {
    try {
      const arp = decodeArp(decodeEthernet(frame).payload);
      const kind = arp.operation === arpOperation.reply ? 'arp-reply' : 'arp-request';
      // Requests count only when gratuitous (sender IP = target IP): ordinary who-has from others are not answers.
      if (kind === 'arp-request' && !ipEquals(arp.senderProtocolAddress, arp.targetProtocolAddress)) return;
      this.record({ mac: arp.senderHardwareAddress, target: formatIp(arp.senderProtocolAddress), atMs: performance.now(), kind });
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
    }
  }

  private onIpv6(frame: Uint8Array): void {
    try {
      const packet = decodeNdpPacket(decodeEthernet(frame).payload);
      if (packet === undefined || packet.message.type !== icmpv6Type.neighborAdvertisement) return;
      const option = packet.message.options.find((o) => o.kind === 'linkLayerAddress' && o.type === 2);
      this.record({
        mac: option?.kind === 'linkLayerAddress' ? option.address : zeroMac,
        target: formatIp(packet.message.targetAddress),
        atMs: performance.now(),
        kind: 'na',
        solicited: packet.message.solicited,
        override: packet.message.override,
      });
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
    }
  }

  private record(answer: Answer): void {
    if (this.keepAnswers) this.answers.push(answer);
    this.onAnswer?.(answer);
  }

  /** Sends an ARP request for `target` (broadcast unless `destination`); returns the send time. */
  sendArpRequest(target: IpAddress, options: { destination?: MacAddress; sender?: IpAddress } = {}): number {
    const payload = encodeArp({
      operation: arpOperation.request,
      senderHardwareAddress: this.host.mac,
      senderProtocolAddress: options.sender ?? this.host.ipv4,
      targetHardwareAddress: zeroMac,
      targetProtocolAddress: target,
    });
    this.arp.send(encodeEthernet({ destination: options.destination ?? broadcastMac, source: this.host.mac, etherType: etherType.arp, payload }));
    return performance.now();
  }

  /** Sends a Neighbor Solicitation for `target`; `dad` sends it as a DAD probe (from ::, no source option). */
  sendSolicitation(target: IpAddress, options: { dad?: boolean; hopLimit?: number } = {}): number {
    const destination = solicitedNodeAddress(target);
    const dad = options.dad === true;
    const payload = encodeNdpPacket({
      source: dad ? { family: 'IPv6', value: 0n } : this.host.ipv6,
      destination,
      hopLimit: options.hopLimit ?? 255,
      message: { type: icmpv6Type.neighborSolicitation, targetAddress: target, options: dad ? [] : [sourceLinkLayerOption(this.host.mac)] },
    });
    this.ipv6.send(encodeEthernet({ destination: multicastMac(destination), source: this.host.mac, etherType: etherType.ipv6, payload }));
    return performance.now();
  }

  /** Sends any frame on the ARP socket (malformed frames for robustness tests). */
  sendRaw(frame: Uint8Array): void {
    this.arp.send(frame);
  }

  /** Answers for `target` received at or after `sinceMs`. */
  answersFor(target: IpAddress, sinceMs: number, kinds?: readonly Answer['kind'][]): Answer[] {
    const text = formatIp(target);
    return this.answers.filter((a) => a.target === text && a.atMs >= sinceMs && (kinds === undefined || kinds.includes(a.kind)));
  }

  /** ARP request for `target`, then the MACs of the replies seen within `windowMs`. */
  async whoHas(target: IpAddress, windowMs = 300): Promise<MacAddress[]> {
    const since = this.sendArpRequest(target);
    await pause(windowMs);
    return [...new Set(this.answersFor(target, since, ['arp-reply']).map((a) => a.mac))];
  }

  /** Neighbor Solicitation for `target`, then the MACs of the solicited advertisements within `windowMs`. */
  async solicit(target: IpAddress, options: { dad?: boolean; windowMs?: number } = {}): Promise<MacAddress[]> {
    const since = this.sendSolicitation(target, options);
    await pause(options.windowMs ?? 300);
    return [...new Set(this.answersFor(target, since, ['na']).filter((a) => a.solicited === true).map((a) => a.mac))];
  }

  close(): void {
    this.arp.close();
    this.ipv6.close();
  }
}
