/**
 * PacketConn over an AF_PACKET socket: bound to one interface and ethertype, optionally filtered by a
 * classic BPF program, non-blocking, its readiness polled on the Node event loop (no threads, no busy loop).
 * Our own outgoing frames are not looped back (PACKET_IGNORE_OUTGOING).
 */
import { MetallbError } from '../lib/errors.js';
import { macFromBytes } from '../protocol/ethernet/mac.js';
import { AF, PACKET, PACKET_MR, SOCK, SOL } from './constants.js';
import { encodeBpf, type BpfInstruction } from './bpf.js';
import { nativeAddon, netnsPath, pollEvents, sys, sysError, type NativeAddon, type NativePoller } from './native.js';
import type { PacketConn } from './packet-conn.js';
import { decodeSockaddrLlAddress, encodeSockaddrLl } from './sockaddr.js';

export interface PacketConnOptions {
  readonly ifname: string;
  /** The ethertype to receive (0x0806 ARP, 0x86dd IPv6). */
  readonly ethertype: number;
  /** Kernel-side filter; frames it rejects never reach user space. */
  readonly filter?: readonly BpfInstruction[];
  /** Open the socket inside this named network namespace (`ip netns` name) instead of our own. */
  readonly netns?: string;
  /** Frames longer than this are dropped as truncated; default 2048. */
  readonly maxFrameBytes?: number;
  /** Frames handled per readiness wake-up before yielding to the loop; default 64. */
  readonly burst?: number;
}

/** `struct packet_mreq`: ifindex (int), type (u16), alen (u16), address[8]. */
function packetMreq(ifindex: number, mac: Uint8Array): Buffer {
  const buf = Buffer.alloc(16);
  buf.writeInt32LE(ifindex, 0);
  buf.writeUInt16LE(PACKET_MR.multicast, 4);
  buf.writeUInt16LE(mac.length, 6);
  buf.set(mac.subarray(0, 8), 8);
  return buf;
}

export class NativePacketConn implements PacketConn {
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: Uint8Array;
  /** Frames dropped because they were longer than the receive buffer. */
  truncatedFrames = 0;
  private readonly addon: NativeAddon;
  private readonly fd: number;
  private readonly buffer: Buffer;
  private readonly burst: number;
  private poller: NativePoller | undefined;
  private closed = false;

  private constructor(addon: NativeAddon, fd: number, ifname: string, ifindex: number, options: PacketConnOptions) {
    this.addon = addon;
    this.fd = fd;
    this.ifname = ifname;
    this.ifindex = ifindex;
    this.mac = decodeSockaddrLlAddress(sys(`reading the address of "${ifname}"`, () => addon.getsockname(fd)));
    this.buffer = Buffer.alloc(options.maxFrameBytes ?? 2048);
    this.burst = options.burst ?? 64;
  }

  static open(options: PacketConnOptions): NativePacketConn {
    const addon = nativeAddon();
    const where = `opening packet socket on "${options.ifname}"${options.netns === undefined ? '' : ` in ${options.netns}`}`;
    const ns = options.netns === undefined ? undefined : netnsPath(options.netns);
    const ifindex = sys(where, () => addon.ifNameToIndex(options.ifname, ns));
    // Protocol 0 receives nothing until bind names the ethertype, so no frame of another interface slips in.
    const fd = sys(where, () => addon.socket(AF.packet, SOCK.raw | SOCK.nonblock | SOCK.cloexec, 0, ns));
    try {
      if (options.filter !== undefined) addon.attachFilter(fd, encodeBpf(options.filter));
      addon.setsockopt(fd, SOL.packet, PACKET.ignoreOutgoing, 1);
      addon.bind(fd, encodeSockaddrLl(ifindex, options.ethertype));
      return new NativePacketConn(addon, fd, options.ifname, ifindex, options);
    } catch (err) {
      addon.close(fd);
      throw sysError(where, err);
    }
  }

  start(onFrame: (frame: Uint8Array) => void, onError?: (err: Error) => void): void {
    if (this.closed) throw new MetallbError('ECLOSED', `packet socket on "${this.ifname}" is closed`);
    if (this.poller !== undefined) throw new MetallbError('EALREADY', `packet socket on "${this.ifname}" already started`);
    this.poller = new this.addon.Poller(this.fd, (status) => {
      if (status < 0) {
        this.fail(new MetallbError('EPOLL', `polling packet socket on "${this.ifname}": libuv status ${status}`), onError);
        return;
      }
      this.drain(onFrame, onError);
    });
    this.poller.start(pollEvents.readable);
  }

  private drain(onFrame: (frame: Uint8Array) => void, onError?: (err: Error) => void): void {
    for (let i = 0; i < this.burst && !this.closed; i++) {
      let length: number;
      try {
        length = this.addon.recv(this.fd, this.buffer);
      } catch (err) {
        this.fail(sysError(`receiving on "${this.ifname}"`, err), onError);
        return;
      }
      if (length < 0) return;
      if (length > this.buffer.length) {
        this.truncatedFrames++;
        continue;
      }
      onFrame(this.buffer.subarray(0, length));
    }
  }

  private fail(err: Error, onError?: (err: Error) => void): void {
    this.close();
    if (onError === undefined) throw err;
    onError(err);
  }

  send(frame: Uint8Array): void {
    if (this.closed) throw new MetallbError('ECLOSED', `packet socket on "${this.ifname}" is closed`);
    const data = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    sys(`sending on "${this.ifname}"`, () => this.addon.send(this.fd, data));
  }

  joinMulticastMac(mac: Uint8Array): void {
    sys(`joining ${macFromBytes(mac)} on "${this.ifname}"`,
      () => this.addon.setsockopt(this.fd, SOL.packet, PACKET.addMembership, packetMreq(this.ifindex, mac)));
  }

  leaveMulticastMac(mac: Uint8Array): void {
    sys(`leaving ${macFromBytes(mac)} on "${this.ifname}"`,
      () => this.addon.setsockopt(this.fd, SOL.packet, PACKET.dropMembership, packetMreq(this.ifindex, mac)));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poller?.close();
    this.addon.close(this.fd);
  }
}
