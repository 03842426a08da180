/**
 * What the BFD sessions need from the network (implemented by net/bfd-udp.ts, and in memory by tests): per
 * address family, one endpoint that receives single-hop Control packets on UDP 3784 with their TTL, and sends
 * them with TTL 255 from one source port in 49152-65535 (RFC 5881 §4, §5).
 */
import type { IpFamily } from '../../lib/ip.js';

export interface BfdDatagram {
  readonly bytes: Uint8Array;
  readonly fromIp: string;
  readonly fromPort: number;
  /** The received TTL / hop limit; -1 when the kernel did not say. */
  readonly ttl: number;
}

export interface BfdTransport {
  send(bytes: Uint8Array, peerIp: string): void;
  close(): void;
}

export interface BfdTransportFactory {
  /** With `vrf`, the endpoint's sockets are bound to that Linux VRF device (one endpoint per VRF and family). */
  open(family: IpFamily, onDatagram: (d: BfdDatagram) => void, onError: (err: Error) => void, vrf?: string): BfdTransport;
}
