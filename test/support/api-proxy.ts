/**
 * A TCP forwarder in front of the test API server, owned by the test process: clients connect to `address`
 * (on loopback, or inside a lab namespace such as the router's, where the speakers' namespaces can reach it)
 * and each connection is piped to the API server on the test process's loopback. `stop()` is an API server
 * outage as clients see it: every connection is closed and new ones are refused; `resume()` listens again on the
 * same address. The API server itself keeps its state throughout.
 */
import { connect, type Socket } from 'node:net';
import { listenTcp, type TcpListener } from '../../src/net/tcp-socket.js';

export interface ApiProxyOptions {
  /** Where clients connect. */
  readonly listen: { readonly ip: string; readonly port: number };
  /** Create the listening socket inside this network namespace. */
  readonly netns?: string;
  /** The API server, on this process's loopback. */
  readonly target: { readonly host: string; readonly port: number };
}

export class ApiProxy {
  private readonly o: ApiProxyOptions;
  private listener: TcpListener | undefined;
  private readonly sockets = new Set<Socket>();
  private boundPort: number;
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(o: ApiProxyOptions) {
    this.o = o;
    this.boundPort = o.listen.port;
  }

  static async start(o: ApiProxyOptions): Promise<ApiProxy> {
    const proxy = new ApiProxy(o);
    await proxy.resume();
    return proxy;
  }

  /** The URL clients use. */
  get url(): string {
    const ip = this.o.listen.ip.includes(':') ? `[${this.o.listen.ip}]` : this.o.listen.ip;
    return `http://${ip}:${this.boundPort}`;
  }

  get running(): boolean {
    return this.listener !== undefined;
  }

  /** Listens (again) on the same address and port. */
  async resume(): Promise<void> {
    if (this.listener !== undefined) return;
    this.listener = await listenTcp({
      local: { ip: this.o.listen.ip, port: this.boundPort }, ...(this.o.netns === undefined ? {} : { netns: this.o.netns }),
    }, (client) => this.pipe(client));
    this.boundPort = this.listener.address.port;
  }

  /** The outage: closes every connection, then refuses new ones until `resume()`. */
  async stop(): Promise<void> {
    const l = this.listener;
    this.listener = undefined;
    // destroy(), not resetAndDestroy(): resetting a socket that is already closing leaves Node 20 spinning at exit.
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await l?.close();
  }

  private pipe(client: Socket): void {
    this.accepted++;
    const upstream = connect({ host: this.o.target.host, port: this.o.target.port });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

