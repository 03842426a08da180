/**
 * Go's `fmt` renderings that MetalLB's event and error messages are made of, so our messages read the same:
 * `%q` of a string (strconv.Quote) and of a slice (`["a" "b"]`), and `net.IP(nil).String()` (`<nil>`).
 */
import { formatIp, type IpAddress } from '../lib/ip.js';

const simpleEscapes: Readonly<Record<string, string>> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v',
};

/** Go's `%q` of a string (strconv.Quote): printable characters kept, the rest escaped. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const simple = simpleEscapes[ch];
    const code = ch.codePointAt(0) as number;
    if (simple !== undefined) out += simple;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(items: readonly string[]): string {
  return `[${items.map(goQuote).join(' ')}]`;
}

/** Go's `%v` of a []string: `[a b]`. */
export function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/** `net.IP.String()`, where a missing address (a nil net.IP in Go) prints `<nil>`. */
export function goIpString(ip: IpAddress | undefined): string {
  return ip === undefined ? '<nil>' : formatIp(ip);
}

/** Go's `%q` of a []net.IP: `["1.2.3.4" "1000::"]`. */
export function goQuoteIps(ips: readonly (IpAddress | undefined)[]): string {
  return goQuoteList(ips.map(goIpString));
}
