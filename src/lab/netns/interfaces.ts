/**
 * The interfaces of a lab namespace in the shape the layer-2 announcer scans (`InterfaceSource`), read with
 * `ip -j addr show`: the lab runs several nodes' announcers in one process, where sysfs would only show the
 * process's own namespace.
 */
import { parseIp } from '../../lib/ip.js';
import { parseMac } from '../../protocol/ethernet/mac.js';
import type { InterfaceInfo, InterfaceSource } from '../../speaker/layer2/interfaces.js';
import { ipIn } from './command.js';

interface IpLinkJson {
  ifindex: number;
  ifname: string;
  flags?: string[];
  address?: string;
  master?: string;
  addr_info?: { family: string; local: string; scope: string }[];
}

export function parseIpAddrJson(text: string): InterfaceInfo[] {
  const rows = JSON.parse(text) as IpLinkJson[];
  return rows.map((row) => {
    const flags = new Set(row.flags ?? []);
    const linkLocal = (row.addr_info ?? []).find((a) => a.family === 'inet6' && a.scope === 'link');
    return {
      name: row.ifname,
      index: row.ifindex,
      mac: row.address === undefined ? undefined : parseMac(row.address),
      up: flags.has('UP'),
      broadcast: flags.has('BROADCAST'),
      noArp: flags.has('NOARP'),
      enslaved: row.master !== undefined,
      ipv6LinkLocal: linkLocal === undefined ? undefined : parseIp(linkLocal.local),
    };
  });
}

/** An `InterfaceSource` for network namespace `netns`. */
export function namespaceInterfaces(netns: string): InterfaceSource {
  return async () => parseIpAddrJson((await ipIn(netns, ['-j', 'addr', 'show'])).stdout);
}
