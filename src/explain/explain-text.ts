/** The text form of an explanation: the summary, then the detail behind each part. */
import type { Explanation } from './explain.js';

export function explanationText(e: Explanation): string[] {
  const lines = [...e.summary, ''];
  const a = e.allocation;
  if (a.state === 'notFound') return lines.slice(0, -1);
  lines.push(`ADDRESS  ${a.ips.join(', ') || '<none>'}  (${a.reason})`);
  if (a.dryRun !== null) lines.push(`  the controller now: ${a.dryRun.ips.join(', ') || '<none>'}${a.dryRun.pool === null ? '' : ` from pool ${a.dryRun.pool}`}`);
  for (const ev of a.dryRun?.events ?? []) lines.push(`    ${ev.type} ${ev.reason}: ${ev.message}`);
  for (const p of a.pools) lines.push(`  pool ${p.name}: ${p.reason === 'fits' ? '' : `${p.reason}: `}${p.message}`);
  for (const err of a.configErrors) lines.push(`  config error: ${err}`);
  const l2 = e.layer2;
  lines.push('', `LAYER 2  ${l2.state} (${l2.reason})`);
  if (l2.advertisements.length > 0) lines.push(`  L2Advertisements: ${l2.advertisements.join(', ')}`);
  if (l2.candidates.length > 0) {
    lines.push(`  candidates in election order: ${l2.candidates.map((c) => `${c.node} (${c.score > 0 ? `score ${c.score}, ` : ''}sha256 ${c.hash})`).join(', ')}`);
  }
  for (const x of l2.excluded) lines.push(`  ${x.node} excluded: ${x.message}`);
  if (l2.interfaces !== null) lines.push(`  interfaces: ${l2.interfaces === 'all' ? 'all eligible' : l2.interfaces.join(', ')}`);
  lines.push(`  live speakers: ${l2.liveSpeakers === 'everyNode' ? 'every node (speaker Pods unknown)' : l2.liveSpeakers.join(', ') || 'none'}; ServiceL2Status: ${l2.announcedBy.join(', ') || 'none'}`);
  const b = e.bgp;
  lines.push('', `BGP  ${b.state} (${b.reason})`);
  for (const n of b.nodes) {
    lines.push(`  ${n.node}: ${n.announces ? '' : `${n.reason}: `}${n.message}${n.sessions.length > 0 ? ` [sessions: ${n.sessions.join(', ')}]` : ''}`);
    for (const p of n.prefixes) {
      lines.push(`    ${p.prefix}${p.localPref > 0 ? ` localPref ${p.localPref}` : ''}${p.communities.length > 0 ? ` communities ${p.communities.join(' ')}` : ''} -> ${p.peers.join(', ') || 'no peer'}`);
    }
  }
  if (b.announcedBy.length > 0) lines.push(`  ServiceBGPStatus: ${b.announcedBy.map((x) => `${x.node} -> ${x.peers.join(', ')}`).join('; ')}`);
  if (e.configuration.length > 0) {
    lines.push('', 'CONFIGURATION STATE');
    for (const c of e.configuration) lines.push(`  ${c.component}: ${c.result}${c.errorSummary === undefined ? '' : `: ${c.errorSummary.split('\n').join('; ')}`}`);
  }
  if (e.events.length > 0) {
    lines.push('', 'EVENTS (latest last)');
    for (const ev of e.events.slice(-10)) lines.push(`  ${ev.type} ${ev.reason} (${ev.source}${ev.count > 1 ? `, x${ev.count}` : ''}): ${ev.message}`);
  }
  return lines;
}
