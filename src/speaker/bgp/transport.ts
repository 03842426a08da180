/**
 * What the BGP session driver needs from the network, as interfaces: net/ implements them with TCP (MD5, TTL,
 * source address), tests with in-memory pipes. speaker/ never opens a socket itself.
 */

/** One TCP connection, already established. */
export interface BgpConnectionIo {
  /** Canonical IP text (IPv4-mapped addresses already unwrapped). */
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  write(bytes: Uint8Array): void;
  /** Closes after everything written so far has been sent. Idempotent. */
  close(): void;
  /** Drops the connection at once. Idempotent. */
  destroy(): void;
  onData(fn: (chunk: Uint8Array) => void): void;
  /** Called once, when the connection is gone (either side, or an error). */
  onClose(fn: (error?: string) => void): void;
}

/** How to reach one peer: BGPPeer `peerAddress`, `peerPort`, `sourceAddress`, `password`, `ebgpMultiHop`, `connectTime`. */
export interface DialOptions {
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly sourceAddress?: string;
  /** TCP MD5 signature key (RFC 2385). */
  readonly password?: string;
  /** IP TTL / hop limit of our packets: 1 for single-hop eBGP, 255 for multihop or GTSM. */
  readonly ttl?: number;
  /** GTSM (RFC 5082): drop packets arriving with a smaller TTL (254 for one hop). */
  readonly minTtl?: number;
  readonly connectTimeoutMs: number;
  /** BGPPeer `vrf`: the socket is bound to this Linux VRF device (SO_BINDTODEVICE) before it connects. */
  readonly vrf?: string;
}

export interface DialHandlers {
  onConnected(io: BgpConnectionIo): void;
  onFailed(error: string): void;
}

export interface BgpDialer {
  /** Starts a connection attempt; exactly one handler is called unless the attempt is cancelled first. */
  dial(options: DialOptions, handlers: DialHandlers): { cancel(): void };
}

/** Options the listener applies for one peer (MD5 key on the listening socket, TTL of accepted connections). */
export interface AcceptOptions {
  readonly password?: string;
  readonly ttl?: number;
  readonly minTtl?: number;
  /** Accept this peer's connections only on a listener bound to this Linux VRF device. */
  readonly vrf?: string;
}

/**
 * The shared BGP listener (port 179): hands each accepted connection to the session of its remote address and
 * VRF. Sessions are per (peer address, VRF): the same address may be registered once per VRF. Throws when the
 * VRF's listener cannot be opened (the device is missing).
 */
export interface BgpAcceptor {
  register(peerAddress: string, options: AcceptOptions, onAccept: (io: BgpConnectionIo) => void): { unregister(): void };
}
