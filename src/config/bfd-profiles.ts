/**
 * BFDProfile objects -> `BfdProfile`s with defaults applied (metallb-behaviour.md §2.5, §2.9 #28). The ranges
 * are the CRD's; the defaults are FRR's, which MetalLB relies on for unset fields.
 */
import type { BFDProfile } from '../api/schema/bfd-profile.js';
import type { ObjectRef, ProblemList } from './problems.js';
import type { BfdProfile } from './types.js';

type Spec = NonNullable<BFDProfile['spec']>;

const ranges = [
  ['receiveInterval', 10, 60000, 300],
  ['transmitInterval', 10, 60000, 300],
  ['detectMultiplier', 2, 255, 3],
  ['echoInterval', 10, 60000, 50],
  ['minimumTtl', 1, 254, 254],
] as const satisfies readonly (readonly [keyof Spec, number, number, number])[];

export function parseBfdProfile(obj: BFDProfile, at: ObjectRef, problems: ProblemList): BfdProfile {
  const spec: Spec = obj.spec ?? {};
  const value = {} as Record<(typeof ranges)[number][0], number>;
  for (const [field, min, max, fallback] of ranges) {
    const v = spec[field];
    if (v !== undefined && (v < min || v > max)) {
      problems.add('bfd-range', at, `spec.${field}`, `${v} is not in ${min}-${max}`);
    }
    value[field] = v ?? fallback;
  }
  return {
    name: at.name,
    receiveIntervalMs: value.receiveInterval,
    transmitIntervalMs: value.transmitInterval,
    detectMultiplier: value.detectMultiplier,
    echoIntervalMs: value.echoInterval,
    echoMode: spec.echoMode ?? false,
    passiveMode: spec.passiveMode ?? false,
    minimumTtl: value.minimumTtl,
  };
}
