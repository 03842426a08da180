/**
 * `plan` output: JSON in the documented shape (counts as exact integers, MaxInt64 included) and a table for a
 * person.
 */
import type { Plan, PlannedService } from './plan.js';

/**
 * JSON with bigint written as a plain integer (JSON.stringify refuses bigint, and a Number would round
 * MaxInt64). Keys keep the documented order.
 */
export function planToJson(p: Plan): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(
    { services: p.services, pools: p.pools },
    (_key, value: unknown) => (typeof value === 'bigint' ? `${marker}${value.toString()}` : value),
  );
  return text.replace(new RegExp(`"${marker.replace('\u0000', '\\\\u0000')}(-?[0-9]+)"`, 'g'), '$1');
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** Why a Service has no address, or another one than today: its warnings, else all its events. */
function reasons(s: PlannedService): string[] {
  if (s.ips.length > 0 && (s.change === 'kept' || s.change === 'new')) return [];
  const warnings = s.events.filter((e) => e.type === 'Warning');
  const shown = warnings.length > 0 ? warnings : s.events;
  return shown.map((e) => `    ${e.type} ${e.reason}: ${e.message}`);
}

export function planToTable(p: Plan): string {
  const services = table([
    ['NAMESPACE', 'NAME', 'CHANGE', 'POOL', 'IPS'],
    ...p.services.map((s) => [s.namespace, s.name, s.change, s.pool ?? '-', s.ips.length > 0 ? s.ips.join(',') : '<none>']),
  ]).split('\n');
  const lines = [services[0] as string];
  p.services.forEach((s, i) => lines.push(services[i + 1] as string, ...reasons(s)));
  const pools = table([
    ['POOL', 'ASSIGNED IPV4', 'AVAILABLE IPV4', 'ASSIGNED IPV6', 'AVAILABLE IPV6'],
    ...p.pools.map((x) => [x.name, `${x.assignedIPv4}`, `${x.availableIPv4}`, `${x.assignedIPv6}`, `${x.availableIPv6}`]),
  ]);
  const counts = (['kept', 'new', 'changed', 'removed'] as const).map((c) => `${p.services.filter((s) => s.change === c).length} ${c}`).join(', ');
  const pending = p.services.filter((s) => s.ips.length === 0).length;
  return `${lines.join('\n')}\n\n${pools}\n\n${p.services.length} services: ${counts}; ${pending} without an address\n`;
}
