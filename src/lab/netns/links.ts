/**
 * Cutting and restoring a host's LAN link, for failover tests. Two ways to fail:
 *  - `carrier`: the switch port goes down, so the host sees carrier loss (a pulled cable);
 *  - `silent`: the switch drops every frame to and from the port while both ends stay up (a broken switch
 *    path, a partition the host cannot see locally).
 */
import { ipIn, runIn } from './command.js';
import type { Host, Network } from './network.js';

export type CutMode = 'carrier' | 'silent';

const cutTable = (host: Host): string => `mlbts_cut_${host.name}`;

export async function cutLink(network: Network, hostName: string, mode: CutMode = 'carrier'): Promise<void> {
  const host = network.host(hostName);
  if (mode === 'carrier') {
    await ipIn(network.switchNetns, ['link', 'set', host.switchPort, 'down']);
    return;
  }
  const table = cutTable(host);
  const ruleset = [
    `add table bridge ${table}`,
    `delete table bridge ${table}`,
    `table bridge ${table} {`,
    '  chain forward {',
    '    type filter hook forward priority 0; policy accept;',
    `    iifname "${host.switchPort}" drop`,
    `    oifname "${host.switchPort}" drop`,
    '  }',
    '}',
  ].join('\n');
  await runIn(network.switchNetns, 'nft', ['-f', '-'], { input: `${ruleset}\n` });
}

/** Undoes `cutLink` (either mode); restoring a link that is not cut does nothing. */
export async function restoreLink(network: Network, hostName: string): Promise<void> {
  const host = network.host(hostName);
  await ipIn(network.switchNetns, ['link', 'set', host.switchPort, 'up']);
  const table = cutTable(host);
  await runIn(network.switchNetns, 'nft', ['-f', '-'], { input: `add table bridge ${table}\ndelete table bridge ${table}\n` });
}
