/**
 * BGP over TCP (RFC 4271 §8: port 179) for the session driver: a dialer and a shared listener implementing
 * speaker/bgp/transport.ts, with TCP MD5 signatures (RFC 2385; key set before the SYN on active sockets and per
 * peer on the listener), TTL for single-hop and multihop eBGP, GTSM (RFC 5082) minimum TTL, a source address,
 * the peer port, a connect timeout and Linux VRFs (sockets bound to the VRF device). Sockets may be created in
 * another network namespace (tests, the lab).
 */
import type { Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { canonicalIp, parseIp } from '../lib/ip.js';
import { errorCode, errorMessage } from '../lib/errors.js';
import type {
  AcceptOptions, BgpAcceptor, BgpConnectionIo, BgpDialer, DialHandlers, DialOptions,
} from '../speaker/bgp/transport.js';
import { connectTcp, listenTcp, openTcpListener, type TcpListener, type TcpListenOptions } from './tcp-socket.js';
import { setMinimumTtl, setUnicastTtl } from './sockopt.js';
import { requireIp } from './sockaddr.js';

export const bgpPort = 179;

/** Adapts a connected net.Socket to the driver's connection interface. */
export function socketIo(socket: Socket): BgpConnectionIo {
  socket.setNoDelay(true);
  let lastError: string | undefined;
  let closed = false;
  const closeFns: ((error?: string) => void)[] = [];
  socket.on('error', (err) => { lastError = errorCode(err) ?? errorMessage(err); });
  socket.on('close', () => { closed = true; for (const fn of closeFns) fn(lastError); });
  return {
    localAddress: canonicalIp(socket.localAddress ?? '') ?? socket.localAddress ?? '',
    remoteAddress: canonicalIp(socket.remoteAddress ?? '') ?? socket.remoteAddress ?? '',
    remotePort: socket.remotePort ?? 0,
    write: (bytes) => { if (!socket.destroyed) socket.write(bytes); },
    close: () => { if (!socket.destroyed) socket.end(); },
    destroy: () => { socket.destroy(); },
    onData: (fn) => { socket.on('data', fn); },
    onClose: (fn) => {
      if (closed) queueMicrotask(() => fn(lastError));
      else closeFns.push(fn);
    },
  };
}

export interface BgpTcpOptions {
  /** Create sockets in this network namespace (`ip netns` name); default the process's own. */
  readonly netns?: string;
}

export class TcpBgpDialer implements BgpDialer {
  private readonly netns: string | undefined;

  constructor(options: BgpTcpOptions = {}) {
    this.netns = options.netns;
  }

  dial(o: DialOptions, h: DialHandlers): { cancel(): void } {
    let cancelled = false;
    connectTcp({
      remote: { ip: o.peerAddress, port: o.peerPort },
      timeoutMs: o.connectTimeoutMs,
      ...(this.netns === undefined ? {} : { netns: this.netns }),
      ...(o.sourceAddress === undefined ? {} : { local: { ip: o.sourceAddress } }),
      ...(o.password === undefined ? {} : { md5Key: o.password }),
      ...(o.ttl === undefined ? {} : { ttl: o.ttl }),
      ...(o.minTtl === undefined ? {} : { minTtl: o.minTtl }),
      ...(o.vrf === undefined ? {} : { bindToDevice: o.vrf }),
    }).then((socket) => {
      if (cancelled) { socket.destroy(); return; }
      h.onConnected(socketIo(socket));
    }, (err: unknown) => {
      if (!cancelled) h.onFailed(errorCode(err) ?? errorMessage(err));
    });
    return { cancel: () => { cancelled = true; } };
  }
}

interface Registration {
  readonly options: AcceptOptions;
  readonly onAccept: (io: BgpConnectionIo) => void;
}

/** The fd of a net.Socket (Node keeps it on the internal handle; stable on Linux). */
function socketFd(socket: Socket): number | undefined {
  return (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
}

/** Registration key: sessions are per (peer address, VRF); '' is the default VRF. */
function registrationKey(vrf: string, peer: string): string {
  return `${vrf}%${peer}`;
}

/** The listeners of one VRF ('' for the default one), with the number of sessions registered on them. */
interface VrfListeners {
  readonly listeners: TcpListener[];
  sessions: number;
}

/**
 * One listening socket per address (default `[::]:179`, dual stack) shared by every session: an accepted
 * connection goes to the session registered for its remote address, or is closed. MD5 keys are per peer on the
 * listener; TTL and GTSM's minimum TTL are per peer on the accepted socket, so GTSM guards the session from its
 * first segment after the handshake (the listener itself does not filter SYNs by TTL).
 *
 * A peer in a VRF is accepted on its own listeners, on the same addresses but bound to the VRF device
 * (SO_BINDTODEVICE), opened with the VRF's first session and closed with its last: with the kernel's default
 * `net.ipv4.tcp_l3mdev_accept = 0` the unbound listener never sees connections that arrive through a VRF.
 */
export class TcpBgpAcceptor implements BgpAcceptor {
  private readonly registrations = new Map<string, Registration>();
  private readonly vrfs = new Map<string, VrfListeners>();
  /** Accepted sockets still open, so `close` never waits on a connection a peer went quiet on. */
  private readonly open = new Set<Socket>();
  private readonly netns: string | undefined;
  private readonly addresses: readonly { ip: string; port: number }[];

  private constructor(options: BgpTcpOptions & { readonly addresses?: readonly { ip: string; port: number }[] }) {
    this.netns = options.netns;
    this.addresses = options.addresses ?? [{ ip: '::', port: bgpPort }];
  }

  /**
   * `defaultVrf: false` opens no listener for the default VRF (only VRF peers are accepted). Needed where the
   * per-VRF listeners are bound to plain devices rather than VRF devices (a kernel without CONFIG_NET_VRF): only
   * a VRF device gives its bound sockets their own port space next to the unbound listener.
   */
  static async listen(options: BgpTcpOptions & { readonly addresses?: readonly { ip: string; port: number }[]; readonly defaultVrf?: boolean } = {}): Promise<TcpBgpAcceptor> {
    const acceptor = new TcpBgpAcceptor(options);
    const listeners: TcpListener[] = [];
    if (options.defaultVrf !== false) for (const local of acceptor.addresses) listeners.push(await listenTcp(acceptor.listenOptions(local), (socket) => acceptor.handle('', socket)));
    acceptor.vrfs.set('', { listeners, sessions: 0 });
    return acceptor;
  }

  /** The SYN-ACK leaves with the listener's TTL: 255, so a GTSM peer (RFC 5082) accepts it (IPv6 and v4-mapped too). */
  private listenOptions(local: { ip: string; port: number }, vrf?: string): TcpListenOptions {
    const configure = (fd: number): void => { try { setUnicastTtl(fd, 'IPv4', 255); } catch { /* an IPv6-only socket */ } };
    return { local, ttl: 255, configure, ...(this.netns === undefined ? {} : { netns: this.netns }), ...(vrf === undefined ? {} : { bindToDevice: vrf }) };
  }

  register(peerAddress: string, options: AcceptOptions, onAccept: (io: BgpConnectionIo) => void): { unregister(): void } {
    const vrf = options.vrf ?? '';
    const peer = canonicalIp(peerAddress) ?? peerAddress;
    const group = this.vrfListeners(vrf);
    const key = registrationKey(vrf, peer);
    const reg: Registration = { options, onAccept };
    this.registrations.set(key, reg);
    group.sessions++;
    if (options.password !== undefined) this.setKey(group, peer, options.password);
    let registered = true;
    return {
      unregister: () => {
        if (!registered) return;
        registered = false;
        group.sessions--;
        if (this.registrations.get(key) === reg) {
          this.registrations.delete(key);
          if (options.password !== undefined) this.setKey(group, peer, '');
        }
        if (vrf !== '' && group.sessions === 0 && this.vrfs.get(vrf) === group) {
          this.vrfs.delete(vrf);
          for (const l of group.listeners) l.server.close();
        }
      },
    };
  }

  /** The VRF's listeners, opened now when it has none (throws `ENODEV` when the device does not exist). */
  private vrfListeners(vrf: string): VrfListeners {
    const existing = this.vrfs.get(vrf);
    if (existing !== undefined) return existing;
    const listeners: TcpListener[] = [];
    try {
      for (const local of this.addresses) {
        const l = openTcpListener(this.listenOptions(local, vrf), (socket) => this.handle(vrf, socket));
        l.server.on('error', () => { /* the fd was bound and listening; Node's adoption does not fail on Linux */ });
        listeners.push(l);
      }
    } catch (err) {
      for (const l of listeners) l.server.close();
      throw err;
    }
    const group = { listeners, sessions: 0 };
    this.vrfs.set(vrf, group);
    return group;
  }

  /**
   * Stops listening and drops accepted connections still open (their sessions have normally closed them already).
   * Does not wait for peers: a connection whose peer went silent (or whose segments GTSM drops) would never end.
   */
  close(): Promise<void> {
    for (const group of this.vrfs.values()) for (const l of group.listeners) l.server.close();
    this.vrfs.clear();
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    return Promise.resolve();
  }

  private setKey(group: VrfListeners, peer: string, key: string): void {
    for (const l of group.listeners) {
      const listenFamily = l.address.ip.family;
      const peerIp = requireIp(peer);
      // A dual-stack IPv6 listener takes IPv4 peers (as v4-mapped); an IPv4 listener only IPv4 ones.
      if (listenFamily === 'IPv4' && peerIp.family === 'IPv6') continue;
      l.setMd5({ peer: peerIp, key });
    }
  }

  private handle(vrf: string, socket: Socket): void {
    const remote = canonicalIp(socket.remoteAddress ?? '');
    const reg = remote === undefined ? undefined : this.registrations.get(registrationKey(vrf, remote));
    if (reg === undefined) { socket.destroy(); return; }
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
    const fd = socketFd(socket);
    const family = parseIp(remote ?? '')?.family ?? 'IPv4';
    try {
      if (fd !== undefined && reg.options.ttl !== undefined) setUnicastTtl(fd, family, reg.options.ttl);
      if (fd !== undefined && reg.options.minTtl !== undefined) setMinimumTtl(fd, family, reg.options.minTtl);
    } catch {
      // A v4-mapped peer on an IPv6 socket takes IPv6-level options; losing the TTL here is not fatal.
    }
    reg.onAccept(socketIo(socket));
  }
}

/** The link-local IPv6 address on the interface that holds `address` in this process's namespace (RFC 2545). */
export function linkLocalFor(address: string): string | undefined {
  for (const infos of Object.values(networkInterfaces())) {
    if (infos === undefined || !infos.some((i) => canonicalIp(i.address) === address)) continue;
    return infos.find((i) => i.family === 'IPv6' && i.address.toLowerCase().startsWith('fe80:'))?.address;
  }
  return undefined;
}
