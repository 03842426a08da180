/**
 * A stable text of a Config (Maps, Sets and bigints included), to tell a real change from a rebuild that
 * changes nothing: MetalLB ignores such a rebuild, and so do the controller and the speaker.
 */
import type { Config } from './types.js';

export function configFingerprint(config: Config): string {
  return JSON.stringify(config, (_key, value: unknown) => {
    if (value instanceof Map) return { map: [...value.entries()] };
    if (value instanceof Set) return { set: [...value.values()] };
    if (typeof value === 'bigint') return `${value}n`;
    return value;
  });
}
