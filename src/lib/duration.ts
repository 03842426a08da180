/**
 * Go's `time.ParseDuration`, which is how Kubernetes (metav1.Duration) and so MetalLB read durations such as
 * `90s`, `1m30s`, `1.5h` or `300ms`: a sign, then one or more decimal numbers each with a unit
 * (ns, us, µs, μs, ms, s, m, h); `0` alone needs no unit. The result is in nanoseconds, as Go's int64.
 */
const unitNs: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const maxNs = (1n << 63n) - 1n;
const component = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/;

/** Nanoseconds, or undefined when `text` is not a Go duration (or overflows int64). */
export function parseGoDuration(text: string): bigint | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const m = component.exec(rest);
    if (m === null) return undefined;
    const whole = m[1] ?? '';
    const fraction = m[2] ?? '';
    const unit = unitNs[m[3] ?? ''];
    if ((whole === '' && fraction === '') || unit === undefined) return undefined;
    let ns = BigInt(whole === '' ? '0' : whole) * unit;
    if (fraction !== '') ns += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    total += ns;
    if (total > maxNs + (negative ? 1n : 0n)) return undefined;
    rest = rest.slice(m[0].length);
  }
  return negative ? -total : total;
}

/** Formats nanoseconds as Go's `Duration.String()` does: `1h2m3.5s`, `300ms`, `0s`. */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  let v = ns < 0n ? -ns : ns;
  if (v < 1_000_000_000n) {
    const [unit, scale] = v < 1_000n ? ['ns', 1n] : v < 1_000_000n ? ['µs', 1_000n] : ['ms', 1_000_000n];
    return `${sign}${decimal(v, scale)}${unit}`;
  }
  const h = v / 3_600_000_000_000n;
  v -= h * 3_600_000_000_000n;
  const m = v / 60_000_000_000n;
  v -= m * 60_000_000_000n;
  const s = `${decimal(v, 1_000_000_000n)}s`;
  if (h > 0n) return `${sign}${h}h${m}m${s}`;
  if (m > 0n) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}

function decimal(value: bigint, scale: bigint): string {
  const whole = value / scale;
  const frac = value % scale;
  if (frac === 0n) return whole.toString();
  const digits = scale.toString().length - 1;
  return `${whole}.${frac.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}
