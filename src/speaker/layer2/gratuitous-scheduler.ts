/**
 * When gratuitous announcements go out (MetalLB `spamLoop`, metallb-behaviour.md §5.3): a newly triggered IP
 * is announced at once, then every `intervalMs` (1100 ms) until `windowMs` (5 s) after its last trigger;
 * triggering an IP that is already being announced only extends its window. Rounds stop as soon as the IP is
 * no longer held. Timers come from the injected Clock.
 */
import type { Clock, Timer } from '../../lib/clock.js';
import { formatIp, type IpAddress } from '../../lib/ip.js';

export interface GratuitousTiming {
  readonly intervalMs: number;
  readonly windowMs: number;
}

export const metallbGratuitousTiming: GratuitousTiming = { intervalMs: 1100, windowMs: 5000 };

interface Burst {
  readonly ip: IpAddress;
  untilMs: number;
  timer: Timer;
}

export class GratuitousScheduler {
  private readonly clock: Clock;
  private readonly timing: GratuitousTiming;
  private readonly send: (ip: IpAddress) => void;
  private readonly isHeld: (ip: IpAddress) => boolean;
  private readonly bursts = new Map<string, Burst>();

  constructor(clock: Clock, timing: GratuitousTiming, send: (ip: IpAddress) => void, isHeld: (ip: IpAddress) => boolean) {
    this.clock = clock;
    this.timing = timing;
    this.send = send;
    this.isHeld = isHeld;
  }

  trigger(ip: IpAddress): void {
    const key = formatIp(ip);
    const untilMs = this.clock.nowMs() + this.timing.windowMs;
    const burst = this.bursts.get(key);
    if (burst !== undefined) {
      burst.untilMs = untilMs;
      return;
    }
    const fresh: Burst = { ip, untilMs, timer: this.schedule(key) };
    this.bursts.set(key, fresh);
    this.send(ip);
  }

  private schedule(key: string): Timer {
    return this.clock.setTimer(this.timing.intervalMs, () => this.round(key));
  }

  private round(key: string): void {
    const burst = this.bursts.get(key);
    if (burst === undefined) return;
    if (!this.isHeld(burst.ip) || this.clock.nowMs() > burst.untilMs) {
      this.bursts.delete(key);
      return;
    }
    this.send(burst.ip);
    burst.timer = this.schedule(key);
  }

  cancel(ip: IpAddress): void {
    const key = formatIp(ip);
    this.bursts.get(key)?.timer.cancel();
    this.bursts.delete(key);
  }

  /** IPs with a burst in progress. */
  active(): string[] {
    return [...this.bursts.keys()];
  }

  close(): void {
    for (const burst of this.bursts.values()) burst.timer.cancel();
    this.bursts.clear();
  }
}
