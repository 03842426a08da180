/**
 * BGPPeer durations (metallb-behaviour.md §2.4, §2.9 #21): hold and keepalive, each derived from the other
 * when only one is set; connectTime as the CRD's CEL rules say.
 */
import { parseGoDuration } from '../lib/duration.js';
import type { ObjectRef, ProblemList } from './problems.js';
import type { BgpTimers } from './types.js';

const nsPerSecond = 1_000_000_000n;

function readDuration(text: string | undefined, at: ObjectRef, path: string, problems: ProblemList): bigint | undefined {
  if (text === undefined) return undefined;
  const ns = parseGoDuration(text);
  if (ns === undefined) {
    problems.add('duration-syntax', at, path, `"${text}" is not a duration (e.g. 90s, 1m30s, 500ms)`);
  } else if (ns < 0n) {
    problems.add('duration-syntax', at, path, `"${text}" is negative`);
    return undefined;
  }
  return ns;
}

export function parseTimers(
  spec: { readonly holdTime?: string; readonly keepaliveTime?: string },
  at: ObjectRef,
  problems: ProblemList,
): BgpTimers | undefined {
  const given = { hold: readDuration(spec.holdTime, at, 'spec.holdTime', problems), keepalive: readDuration(spec.keepaliveTime, at, 'spec.keepaliveTime', problems) };
  if (given.hold === undefined && given.keepalive === undefined) return undefined;
  const hold = given.hold ?? (given.keepalive ?? 0n) * 3n;
  const keepalive = given.keepalive ?? hold / 3n;
  const holdSec = hold / nsPerSecond;
  let ok = true;
  if (holdSec !== 0n && holdSec < 3n) {
    problems.add('peer-timers', at, given.hold === undefined ? 'spec.keepaliveTime' : 'spec.holdTime',
      `hold time ${holdSec}s must be 0 or at least 3s${given.hold === undefined ? ' (derived as 3 x keepaliveTime)' : ''}`);
    ok = false;
  }
  if (keepalive > hold) {
    problems.add('peer-timers', at, 'spec.keepaliveTime', `keepalive time ${spec.keepaliveTime ?? ''} is longer than the hold time ${spec.holdTime ?? ''}`);
    ok = false;
  }
  return ok ? { holdTimeSec: Number(holdSec), keepaliveTimeSec: Number(keepalive / nsPerSecond) } : undefined;
}

/** connectTime: whole seconds from 1 to 65535 (the CRD's CEL rules, checked again here as MetalLB does not). */
export function parseConnectTime(text: string | undefined, at: ObjectRef, problems: ProblemList): number | undefined {
  const ns = readDuration(text, at, 'spec.connectTime', problems);
  if (ns === undefined) return undefined;
  const seconds = ns / nsPerSecond;
  if (seconds < 1n || seconds > 65535n) {
    problems.add('peer-connect-time', at, 'spec.connectTime', `${text ?? ''} is not between 1s and 65535s`);
    return undefined;
  }
  if ((ns / 1_000_000n) % 1000n !== 0n) {
    problems.add('peer-connect-time', at, 'spec.connectTime', `${text ?? ''} is not a whole number of seconds`);
    return undefined;
  }
  return Number(seconds);
}
