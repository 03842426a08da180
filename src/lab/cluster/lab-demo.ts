import type { LabOptions } from './lab-plan.js';

export async function runDemo(_options: LabOptions, _root: string, out: (line: string) => void): Promise<number> {
  out('demo: not yet');
  return 1;
}
