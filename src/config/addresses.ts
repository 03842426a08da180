/**
 * Pool address entries (metallb-behaviour.md §2.1): a CIDR (host bits masked) or a `start-end` range (split on
 * the first `-`, each side trimmed) expanded to its minimal CIDR cover. A bare IP is not an entry.
 */
import { type Cidr, compareIp, formatIp, parseCidr, parseIp, rangeToCidrs } from '../lib/ip.js';

export type AddressEntry = { readonly cidrs: readonly Cidr[] } | { readonly error: string };

export function parseAddressEntry(text: string): AddressEntry {
  const dash = text.indexOf('-');
  if (dash < 0) {
    const cidr = parseCidr(text);
    if (cidr !== undefined) return { cidrs: [cidr] };
    const hint = parseIp(text.trim()) !== undefined ? ' (a single address is written /32 or /128)' : '';
    return { error: `invalid CIDR "${text}"${hint}` };
  }
  const startText = text.slice(0, dash).trim();
  const endText = text.slice(dash + 1).trim();
  const start = parseIp(startText);
  const end = parseIp(endText);
  if (start === undefined) return { error: `invalid IP range "${text}": invalid start IP "${startText}"` };
  if (end === undefined) return { error: `invalid IP range "${text}": invalid end IP "${endText}"` };
  if (start.family !== end.family) return { error: `invalid IP range "${text}": start and end are of different families` };
  if (compareIp(start, end) > 0) {
    return { error: `invalid IP range "${text}": start IP ${formatIp(start)} is after the end IP ${formatIp(end)}` };
  }
  return { cidrs: rangeToCidrs(start, end) };
}
