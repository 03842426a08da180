/**
 * The knobs of the SWIM failure detector, their trade-offs and the formulas that scale them with the cluster
 * size. The defaults are tuned for a LAN (docs/gossip.md has the measurements behind them):
 *
 *   detection time ~ (wait for the next probe of the dead member) + probeIntervalMs + suspicion timeout
 *
 * and every millisecond taken off it is paid for in packets (probe rate) or in false suspicions (timeouts
 * closer to the real round-trip and scheduling delays). Refutation (incarnation numbers) and Lifeguard's local
 * health keep a false *suspicion* from becoming a false *death*.
 */

export interface SwimConfig {
  /**
   * Time between two probes started by this node; each probe checks one member. Lower detects failures
   * sooner at the cost of 2 packets per probe (more with piggybacked gossip). Scaled up by local health.
   */
  readonly probeIntervalMs: number;
  /**
   * How long a direct ping waits for its ack before asking `indirectChecks` helpers and pinging once more.
   * Should sit above the 99.9th percentile of round-trip plus scheduling delay. Scaled up by local health.
   * Must be under half the probe interval so a helper's nack can arrive before the probe ends.
   */
  readonly probeTimeoutMs: number;
  /** Helpers asked to ping a member that did not answer directly (SWIM's k). More = fewer false suspicions. */
  readonly indirectChecks: number;
  /**
   * Suspicion timeout once `suspicionConfirmations` independent members agree (Lifeguard's minimum), for a
   * cluster of up to 10 members; multiplied by log10(N) beyond. The time a wrongly suspected member has to
   * refute before it is declared dead.
   */
  readonly suspicionMinMs: number;
  /** Suspicion timeout with no confirmation (Lifeguard's maximum); scaled as `suspicionMinMs`. */
  readonly suspicionMaxMs: number;
  /** Independent suspicions that bring the timeout from the maximum to the minimum (0 when N-2 is smaller). */
  readonly suspicionConfirmations: number;
  /** How often queued gossip (state changes) is pushed to `gossipNodes` random members. */
  readonly gossipIntervalMs: number;
  readonly gossipNodes: number;
  /** Each state change is sent retransmitMult * ceil(log10(N+1)) times (more = surer spread, more bytes). */
  readonly retransmitMult: number;
  /** How long dead members still receive gossip, so a wrongly declared member learns it and refutes. */
  readonly gossipToTheDeadMs: number;
  /** Full state exchange over TCP with one random member (anti-entropy); scaled up past 32 members. */
  readonly pushPullIntervalMs: number;
  /** A push-pull to a random dead (not left) member, so partitions heal by themselves. 0 disables. */
  readonly reconnectIntervalMs: number;
  /** Dead and left members are forgotten after this long. */
  readonly deadRetentionMs: number;
  /** Local health (Lifeguard) ranges over 0..awarenessMax-1; timeouts are multiplied by score+1. */
  readonly awarenessMax: number;
  /**
   * A timer that fires later than this means our own process is slow (a busy CPU, a GC pause): failure
   * verdicts due at that moment wait one event-loop turn, so that replies already received are read first,
   * and local health worsens. The node doubts itself instead of accusing others.
   */
  readonly lateToleranceMs: number;
  /** Largest datagram on the wire, envelope included. 1400 fits any Ethernet path with IPv6 and tunnels. */
  readonly maxPacketBytes: number;
  /** Lifeguard extensions (local health, nacks, dynamic suspicion, late-timer doubt). Off only for experiments. */
  readonly lifeguard: boolean;
  /**
   * Listener checks: a member that does not answer is also asked at the kernel level, with a TCP connection to its
   * gossip port. A refusal (RST) means its process is gone: it is declared dead `refusedDeathMs` later, without
   * waiting out the suspicion. A completed handshake means the process is there but slow (starved of CPU, in a
   * long pause): its death waits, re-checked every probe interval, up to `unresponsiveGraceMs` after the
   * suspicion started. No answer (a cut link, a dead host) leaves the suspicion as it is.
   */
  readonly listenerChecks: boolean;
  /** Delay between a refused listener check and the death, so the suspicion is gossiped first. */
  readonly refusedDeathMs: number;
  /** How long a member whose kernel still accepts connections may stay silent before it is declared dead. */
  readonly unresponsiveGraceMs: number;
}

/** Defaults tuned for a LAN: failover well under 500 ms with few false positives (docs/gossip.md). */
export function defaultSwimConfig(): SwimConfig {
  return {
    probeIntervalMs: 80,
    probeTimeoutMs: 30,
    indirectChecks: 3,
    suspicionMinMs: 120,
    suspicionMaxMs: 480,
    suspicionConfirmations: 2,
    gossipIntervalMs: 40,
    gossipNodes: 3,
    retransmitMult: 4,
    gossipToTheDeadMs: 30_000,
    pushPullIntervalMs: 15_000,
    reconnectIntervalMs: 5_000,
    deadRetentionMs: 600_000,
    awarenessMax: 8,
    lateToleranceMs: 10,
    maxPacketBytes: 1400,
    lifeguard: true,
    listenerChecks: true,
    refusedDeathMs: 10,
    unresponsiveGraceMs: 3000,
  };
}

/**
 * The fast profile: about twice the probe rate and half the timeouts of the defaults, for crash failover at or
 * below tuned VRRP (keepalived, VRRPv3, 100 ms adverts). Costs about twice the packets and leaves less room
 * for a busy CPU or a lossy link (docs/gossip.md).
 */
export function fastSwimConfig(): SwimConfig {
  return {
    ...defaultSwimConfig(),
    probeIntervalMs: 50,
    probeTimeoutMs: 20,
    suspicionMinMs: 80,
    suspicionMaxMs: 320,
    gossipIntervalMs: 25,
    unresponsiveGraceMs: 2000,
  };
}

/** Named profiles, for flags and config files. */
export const swimProfiles = { lan: defaultSwimConfig, fast: fastSwimConfig } as const;
export type SwimProfile = keyof typeof swimProfiles;

/** Problems with a configuration, as `field: problem` strings (empty when valid). */
export function validateSwimConfig(c: SwimConfig): string[] {
  const problems: string[] = [];
  const positive: (keyof SwimConfig)[] = [
    'probeIntervalMs', 'probeTimeoutMs', 'suspicionMinMs', 'suspicionMaxMs', 'gossipIntervalMs',
    'gossipNodes', 'retransmitMult', 'pushPullIntervalMs', 'awarenessMax', 'maxPacketBytes',
  ];
  for (const k of positive) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) problems.push(`${k}: must be a positive number`);
  }
  if (c.probeTimeoutMs * 2 >= c.probeIntervalMs) problems.push('probeTimeoutMs: must be under half of probeIntervalMs');
  if (c.suspicionMaxMs < c.suspicionMinMs) problems.push('suspicionMaxMs: must be at least suspicionMinMs');
  if (c.indirectChecks < 0 || c.suspicionConfirmations < 0) problems.push('indirectChecks, suspicionConfirmations: must be >= 0');
  if (c.maxPacketBytes < 512 || c.maxPacketBytes > 65_000) problems.push('maxPacketBytes: must be within 512..65000');
  return problems;
}

/** How many times each state change is gossiped: retransmitMult * ceil(log10(N+1)) (memberlist's rule). */
export function retransmitLimit(c: SwimConfig, memberCount: number): number {
  return c.retransmitMult * Math.max(1, Math.ceil(Math.log10(memberCount + 1)));
}

export interface SuspicionTimeouts {
  readonly minMs: number;
  readonly maxMs: number;
  /** Confirmations expected to reach the minimum (0: start at the minimum). */
  readonly k: number;
}

/**
 * Suspicion timeouts for a cluster of `memberCount`: scaled by max(1, log10 N) as memberlist does, because a
 * refutation needs about log N gossip rounds to reach everyone. Confirmations are expected only where N-2
 * other members could give them (memberlist's rule).
 */
export function suspicionTimeouts(c: SwimConfig, memberCount: number): SuspicionTimeouts {
  const scale = Math.max(1, Math.log10(Math.max(1, memberCount)));
  const minMs = Math.round(c.suspicionMinMs * scale);
  if (!c.lifeguard) return { minMs, maxMs: minMs, k: 0 };
  const k = memberCount - 2 < c.suspicionConfirmations ? 0 : c.suspicionConfirmations;
  return { minMs, maxMs: Math.round(c.suspicionMaxMs * scale), k };
}

/** The push-pull interval, stretched past 32 members so that cluster-wide TCP load stays flat (memberlist). */
export function pushPullIntervalMs(c: SwimConfig, memberCount: number): number {
  if (memberCount <= 32) return c.pushPullIntervalMs;
  return c.pushPullIntervalMs * (Math.ceil(Math.log2(memberCount) - Math.log2(32)) + 1);
}
