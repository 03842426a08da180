/**
 * Classic BPF (the `SO_ATTACH_FILTER` dialect) as data: a few instruction builders and the encoding of
 * `struct sock_filter` {u16 code; u8 jt; u8 jf; u32 k} in host byte order. Programs are written in
 * TypeScript so the kernel drops uninteresting frames before they wake the event loop.
 */
import { endianness } from 'node:os';

export interface BpfInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

// Opcode parts from linux/filter.h (bpf_common.h).
const BPF = {
  ld: 0x00, jmp: 0x05, ret: 0x06,
  w: 0x00, h: 0x08, b: 0x10,
  abs: 0x20,
  jeq: 0x10,
  k: 0x00,
} as const;

/** A = u8 at packet offset `k`. */
export const loadByte = (k: number): BpfInstruction => ({ code: BPF.ld | BPF.b | BPF.abs, jt: 0, jf: 0, k });
/** A = u16 (network order) at packet offset `k`. */
export const loadHalf = (k: number): BpfInstruction => ({ code: BPF.ld | BPF.h | BPF.abs, jt: 0, jf: 0, k });
/** A = u32 (network order) at packet offset `k`. */
export const loadWord = (k: number): BpfInstruction => ({ code: BPF.ld | BPF.w | BPF.abs, jt: 0, jf: 0, k });
/** If A == k skip `jt` instructions, else skip `jf`. */
export const jumpIfEqual = (k: number, jt: number, jf: number): BpfInstruction => ({ code: BPF.jmp | BPF.jeq | BPF.k, jt, jf, k });
/** Accept `k` bytes of the frame (0 = drop). */
export const ret = (k: number): BpfInstruction => ({ code: BPF.ret | BPF.k, jt: 0, jf: 0, k });

export const acceptAll = 0x40000;

export function encodeBpf(program: readonly BpfInstruction[]): Buffer {
  const le = endianness() === 'LE';
  const buf = Buffer.alloc(program.length * 8);
  program.forEach((ins, i) => {
    const at = i * 8;
    if (le) buf.writeUInt16LE(ins.code, at); else buf.writeUInt16BE(ins.code, at);
    buf.writeUInt8(ins.jt, at + 2);
    buf.writeUInt8(ins.jf, at + 3);
    if (le) buf.writeUInt32LE(ins.k >>> 0, at + 4); else buf.writeUInt32BE(ins.k >>> 0, at + 4);
  });
  return buf;
}

/**
 * Ethernet + ARP requests for IPv4 over Ethernet (htype 1, ptype 0x0800, op 1). Offsets: ethertype 12,
 * ARP at 14: htype 14, ptype 16, hlen/plen 18-19, op 20. The socket is bound to ethertype 0x0806 already.
 */
export function arpRequestFilter(): BpfInstruction[] {
  return [
    loadHalf(12), jumpIfEqual(0x0806, 0, 7),
    loadHalf(14), jumpIfEqual(1, 0, 5),
    loadHalf(16), jumpIfEqual(0x0800, 0, 3),
    loadHalf(20), jumpIfEqual(1, 0, 1),
    ret(acceptAll),
    ret(0),
  ];
}

/**
 * Ethernet + IPv6 + ICMPv6 Neighbor Solicitations with no extension header (next header 58 at offset 20,
 * ICMPv6 type 135 at offset 54), hop limit 255 (offset 21) left for the responder to check and count.
 */
export function neighborSolicitationFilter(): BpfInstruction[] {
  return [
    loadHalf(12), jumpIfEqual(0x86dd, 0, 5),
    loadByte(20), jumpIfEqual(58, 0, 3),
    loadByte(54), jumpIfEqual(135, 0, 1),
    ret(acceptAll),
    ret(0),
  ];
}
