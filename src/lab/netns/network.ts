/**
 * Builds a `TopologySpec` into real network namespaces (a switch namespace holding bridge `br0`, one namespace
 * per host, veth pairs between them) and tears it down completely: processes by PID, then the namespaces,
 * which takes their links, bridge and nft tables with them. A half-built network is removed before the error
 * is rethrown, and a process-exit hook removes whatever a crashed test left open.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetallbError } from '../../lib/errors.js';
import { ipBatch, ipIn, run, runIn, sysctlIn, type RunOptions, type RunResult } from './command.js';
import { Supervisor, sweepNamespace, type SupervisedProcess } from './supervisor.js';
import { namespaceOf, linkAddress, type HostRole, type HostSpec, type LinkSpec, type TopologySpec } from './topology.js';

export const bridgeName = 'br0';

export interface Host {
  readonly name: string;
  readonly role: HostRole;
  readonly netns: string;
  readonly ifname: string;
  readonly mac: string;
  readonly ipv4: string | undefined;
  readonly ipv6: string | undefined;
  /** The switch port (in the switch namespace) this host's LAN link is plugged into; empty for `outside`. */
  readonly switchPort: string;
  readonly spec: HostSpec;
}

export interface BuildOptions {
  /** Directory for process logs; default a fresh temp dir, removed on close unless `keepWorkDir`. */
  readonly workDir?: string;
  readonly keepWorkDir?: boolean;
  /**
   * The network outlives this process (the lab): processes start detached, and once the build has succeeded
   * no exit hook removes the network. Whoever owns it later removes it (`removeNamespacesWithPrefix`, PIDs).
   */
  readonly persistent?: boolean;
}

const openNetworks = new Set<Network>();
let exitHookInstalled = false;

export class Network {
  readonly spec: TopologySpec;
  readonly prefix: string;
  readonly switchNetns: string;
  readonly workDir: string;
  readonly supervisor: Supervisor;
  private readonly hostsByName: ReadonlyMap<string, Host>;
  private readonly keepWorkDir: boolean;
  private closing: Promise<void> | undefined;

  constructor(spec: TopologySpec, workDir: string, keepWorkDir: boolean, options: { readonly detached?: boolean } = {}) {
    this.supervisor = new Supervisor({ detached: options.detached ?? false });
    this.spec = spec;
    this.prefix = spec.prefix;
    this.switchNetns = namespaceOf(spec.prefix, 'sw');
    this.workDir = workDir;
    this.keepWorkDir = keepWorkDir;
    const hosts = [...spec.hosts, ...(spec.uplink === undefined ? [] : [spec.uplink.outside])];
    this.hostsByName = new Map(hosts.map((h) => [h.name, toHost(spec.prefix, h)]));
  }

  host(name: string): Host {
    const h = this.hostsByName.get(name);
    if (h === undefined) throw new MetallbError('ENOHOST', `lab network ${this.prefix}: no host "${name}"`);
    return h;
  }

  hosts(role?: HostRole): Host[] {
    return [...this.hostsByName.values()].filter((h) => role === undefined || h.role === role);
  }

  /** Every namespace of this network, the switch first. */
  namespaces(): string[] {
    return [this.switchNetns, ...this.hosts().map((h) => h.netns)];
  }

  /** Runs a tool inside host `name`'s namespace. */
  exec(name: string, file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return runIn(this.host(name).netns, file, args, options);
  }

  /** Starts a long-running process inside host `name`, output in `<workDir>/<name>-<label>.log`. */
  start(name: string, command: readonly string[], label: string, env?: NodeJS.ProcessEnv): SupervisedProcess {
    const logFile = join(this.workDir, `${name}-${label}.log`);
    return this.supervisor.start(this.host(name).netns, command, { logFile, ...(env === undefined ? {} : { env }) });
  }

  /** Stops processes (by PID), sweeps each namespace, deletes the namespaces. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.teardown();
    return this.closing;
  }

  private async teardown(): Promise<void> {
    await this.supervisor.stopAll();
    await Promise.all(this.namespaces().map((ns) => sweepNamespace(ns)));
    await Promise.all(this.namespaces().map((ns) => deleteNamespace(ns)));
    if (!this.keepWorkDir) rmSync(this.workDir, { recursive: true, force: true });
    openNetworks.delete(this);
  }
}

function toHost(prefix: string, spec: HostSpec): Host {
  return {
    name: spec.name,
    role: spec.role,
    netns: namespaceOf(prefix, spec.name),
    ifname: spec.lan.ifname,
    mac: spec.lan.mac,
    ipv4: linkAddress(spec.lan, 4),
    ipv6: linkAddress(spec.lan, 6),
    switchPort: spec.role === 'outside' ? '' : `p-${spec.name}`,
    spec,
  };
}

async function deleteNamespace(netns: string): Promise<void> {
  try {
    await run('ip', ['netns', 'del', netns]);
  } catch {
    // Already gone.
  }
}

/** Names of existing namespaces that start with `<prefix>-`. */
export async function namespacesWithPrefix(prefix: string): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(`${prefix}-`));
}

/** Removes leftovers of an earlier run with the same prefix (only that prefix): processes, then namespaces. */
export async function removeNamespacesWithPrefix(prefix: string): Promise<void> {
  const stale = await namespacesWithPrefix(prefix);
  await Promise.all(stale.map((ns) => sweepNamespace(ns)));
  await Promise.all(stale.map((ns) => deleteNamespace(ns)));
}

const hostNamePattern = /^[a-z][a-z0-9]{0,11}$/;

function validate(spec: TopologySpec): void {
  const names = [...spec.hosts.map((h) => h.name), ...(spec.uplink === undefined ? [] : [spec.uplink.outside.name])];
  for (const name of names) {
    if (!hostNamePattern.test(name) || name === 'sw') {
      throw new MetallbError('EINVAL', `lab topology: host name "${name}" must match ${hostNamePattern} and not be "sw"`);
    }
  }
  if (new Set(names).size !== names.length) throw new MetallbError('EINVAL', 'lab topology: host names must be unique');
  if (spec.uplink !== undefined && !spec.hosts.some((h) => h.role === 'router')) {
    throw new MetallbError('EINVAL', 'lab topology: an uplink needs a host with role "router"');
  }
}

/** Creates every namespace, link, address and route of `spec`. */
export async function buildNetwork(spec: TopologySpec, options: BuildOptions = {}): Promise<Network> {
  validate(spec);
  installExitHook();
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), `metallb-ts-lab-${spec.prefix}-`));
  mkdirSync(workDir, { recursive: true });
  const persistent = options.persistent ?? false;
  const network = new Network(spec, workDir, options.keepWorkDir ?? persistent, { detached: persistent });
  openNetworks.add(network);
  try {
    await removeNamespacesWithPrefix(spec.prefix);
    await buildSwitch(network.switchNetns, spec.multicastSnooping ?? true);
    await Promise.all(network.hosts().filter((h) => h.role !== 'outside').map((h) => plugIntoSwitch(network, h)));
    if (spec.uplink !== undefined) await buildUplink(network, spec.uplink);
    if (persistent) openNetworks.delete(network);
    return network;
  } catch (err) {
    await network.close();
    throw err;
  }
}

async function addNamespace(netns: string, sysctls: Readonly<Record<string, string | number>> = {}): Promise<void> {
  await run('ip', ['netns', 'add', netns]);
  // Before any link exists, so new interfaces inherit `default`: no DAD, so IPv6 addresses are usable at once.
  await sysctlIn(netns, {
    'net.ipv6.conf.all.accept_dad': 0,
    'net.ipv6.conf.default.accept_dad': 0,
    ...sysctls,
  });
  await ipIn(netns, ['link', 'set', 'lo', 'up']);
}

async function buildSwitch(netns: string, multicastSnooping: boolean): Promise<void> {
  await addNamespace(netns);
  await ipBatch(netns, [
    `link add ${bridgeName} type bridge stp_state 0 forward_delay 0 mcast_snooping ${multicastSnooping ? 1 : 0}`,
    `link set ${bridgeName} up`,
  ]);
}

/** `ip -batch` lines that configure a host's end of a link: MAC, addresses, up. */
function linkLines(link: LinkSpec): string[] {
  return [
    `link set ${link.ifname} address ${link.mac}`,
    ...link.addresses.map((a) => `addr add ${a} dev ${link.ifname}${a.includes(':') ? ' nodad' : ''}`),
    `link set ${link.ifname} up`,
  ];
}

function routeLines(spec: HostSpec): string[] {
  return [
    ...spec.onLinkRoutes.map((cidr) => `route add ${cidr} dev ${spec.lan.ifname}`),
    ...spec.gateways.map((gw) => `route add ${gw.includes(':') ? '::/0' : '0.0.0.0/0'} via ${gw}`),
  ];
}

async function plugIntoSwitch(network: Network, host: Host): Promise<void> {
  await addNamespace(host.netns, host.spec.sysctls);
  await run('ip', ['link', 'add', host.ifname, 'netns', host.netns, 'type', 'veth',
    'peer', 'name', host.switchPort, 'netns', network.switchNetns]);
  await ipBatch(network.switchNetns, [`link set ${host.switchPort} master ${bridgeName}`, `link set ${host.switchPort} up`]);
  await ipBatch(host.netns, [...linkLines(host.spec.lan), ...routeLines(host.spec)]);
}

async function buildUplink(network: Network, uplink: NonNullable<TopologySpec['uplink']>): Promise<void> {
  const router = network.hosts('router')[0] as Host;
  const outside = network.host(uplink.outside.name);
  await addNamespace(outside.netns, uplink.outside.sysctls);
  await run('ip', ['link', 'add', uplink.router.ifname, 'netns', router.netns, 'type', 'veth',
    'peer', 'name', outside.ifname, 'netns', outside.netns]);
  await ipBatch(router.netns, linkLines(uplink.router));
  await ipBatch(outside.netns, [...linkLines(uplink.outside.lan), ...routeLines(uplink.outside)]);
}

/** Last resort when the test process exits with networks still open: kill by PID, delete namespaces. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const network of openNetworks) {
      for (const proc of network.supervisor.running()) {
        try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ }
      }
      for (const ns of network.namespaces()) {
        const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
        for (const pid of pids.split(/\s+/).filter((s) => s !== '')) {
          try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
        }
        spawnSync('ip', ['netns', 'del', ns]);
      }
    }
  });
}
