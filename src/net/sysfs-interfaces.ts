/**
 * The node's interfaces as the layer-2 announcer needs them, read the way MetalLB reads them: names, flags,
 * MAC, index and `master` from /sys/class/net, IPv6 link-local addresses from /proc/net/if_inet6. Both reflect
 * the network namespace of this process (a speaker runs with the host network).
 */
import { readdir, readFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { ipFromBytes } from '../lib/ip.js';
import { parseMac } from '../protocol/ethernet/mac.js';
import type { InterfaceInfo } from '../speaker/layer2/interfaces.js';

const IFF_UP = 0x1;
const IFF_BROADCAST = 0x2;
const IFF_NOARP = 0x80;
const scopeLink = 0x20;

/** `/proc/net/if_inet6` lines: address (32 hex), ifindex, prefix length, scope, flags, name. */
export function parseIfInet6(text: string): Map<string, ReturnType<typeof ipFromBytes>> {
  const linkLocal = new Map<string, ReturnType<typeof ipFromBytes>>();
  for (const line of text.split('\n')) {
    const [hex, , , scope, , name] = line.trim().split(/\s+/);
    if (hex === undefined || name === undefined || hex.length !== 32 || scope === undefined) continue;
    if (parseInt(scope, 16) !== scopeLink || linkLocal.has(name)) continue;
    linkLocal.set(name, ipFromBytes(Uint8Array.from(Buffer.from(hex, 'hex'))));
  }
  return linkLocal;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function sysfsInterfaces(root = '/sys/class/net', ifInet6 = '/proc/net/if_inet6'): Promise<InterfaceInfo[]> {
  const names = (await readdir(root)).sort();
  const linkLocal = parseIfInet6((await readText(ifInet6)) ?? '');
  const out: InterfaceInfo[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const flags = parseInt((await readText(join(dir, 'flags'))) ?? '0', 16);
    const index = Number((await readText(join(dir, 'ifindex'))) ?? '0');
    if (!Number.isInteger(index) || index <= 0) continue;
    const mac = parseMac((await readText(join(dir, 'address'))) ?? '');
    out.push({
      name,
      index,
      mac,
      up: (flags & IFF_UP) !== 0,
      broadcast: (flags & IFF_BROADCAST) !== 0,
      noArp: (flags & IFF_NOARP) !== 0,
      enslaved: await exists(join(dir, 'master')),
      ipv6LinkLocal: linkLocal.get(name),
    });
  }
  return out;
}
