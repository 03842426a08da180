/**
 * A link-layer socket on one interface: whole Ethernet frames in and out. The speaker's responders see only
 * this interface (style-anchors.md §4.8); the native implementation is an AF_PACKET socket polled by libuv,
 * the in-memory one (memory-packet-conn.ts) links conns for tests.
 */
export interface PacketConn {
  readonly ifname: string;
  readonly ifindex: number;
  /** The interface's MAC address (6 bytes). */
  readonly mac: Uint8Array;
  /**
   * Starts delivering received frames. The frame is a view into a reused buffer, valid only during the call:
   * copy anything kept. A receive error that ends the conn goes to `onError`.
   */
  start(onFrame: (frame: Uint8Array) => void, onError?: (err: Error) => void): void;
  /** Sends one whole Ethernet frame; throws a MetallbError (`EAGAIN`, `ENETDOWN`...) if the kernel refuses. */
  send(frame: Uint8Array): void;
  /** Receives frames for a multicast MAC too (PACKET_ADD_MEMBERSHIP); reference-counted by the kernel. */
  joinMulticastMac(mac: Uint8Array): void;
  leaveMulticastMac(mac: Uint8Array): void;
  /** Idempotent. */
  close(): void;
}
