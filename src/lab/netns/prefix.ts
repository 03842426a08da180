import { randomBytes } from 'node:crypto';

/**
 * A short random prefix for the namespaces of one run (`mt3fa2`), so parallel runs never collide. Interface
 * names never carry it (they live inside the run's own namespaces), so it cannot overflow IFNAMSIZ.
 */
export function runPrefix(tag = 'mt'): string {
  return `${tag}${randomBytes(2).toString('hex')}`;
}
