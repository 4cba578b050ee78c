// Limits on the state and the replies remote input can cause (issue 9, docs/PROTOCOL.md §7.9).
// One `limits` object on the host (HipHostConfig.limits, partial; HIP_LIMITS fills the rest).
// The HIP core enforces the association / half-open / UAL / R1-rate limits; the runtime SA
// table reads `maxSas`, the Worker data planes `maxEspQueue` and `workerIo*`, the mobility
// extension the `maxPeer*` and probe limits.
import { type NumberRule, numberProblem, overDefaults } from "../core/settings.ts";
import type { Millis } from "../core/types.ts";

/** Token bucket parameters: `ratePerSec` tokens refill per second, at most `burst` stored. */
export interface RateLimit {
  /** Tokens added per second. */
  ratePerSec: number;
  /** Most tokens stored. */
  burst: number;
}

/** A probe budget window: at most `maxProbes` probes and `maxBytes` bytes per `windowMs`. */
export interface ProbeWindow {
  /** Probes per window. */
  maxProbes: number;
  /** Bytes per window. */
  maxBytes: number;
  /** Window length (ms). */
  windowMs: Millis;
}

/** State and rate limits against hostile peers (defaults `HIP_LIMITS`, docs/PROTOCOL.md §7.9). */
export interface HipLimits {
  /** Associations in the table (every state). New ones beyond it are refused (`drop.limit_associations`). */
  maxAssociations: number;
  /**
   * Exchanges not yet ESTABLISHED (I1-SENT, I2-SENT, R2-SENT). An I2 beyond it evicts the oldest
   * R2-SENT association (`evict.half_open`) or, if there is none, is refused (`drop.limit_half_open`).
   */
  maxHalfOpen: number;
  /**
   * UAL, Unused Association Lifetime (RFC 7401 §4.4.2 / §6.14): an association with no
   * authenticated inbound packet (ESP or HIP) and no ESP sent by us for this long is closed
   * (`ual.closed`); 0 = never.
   */
  ualIdleMs: Millis;
  /** R1s answering I1s, per source prefix (RFC 7401 §4.1.1 allows not answering). `drop.rate_r1`. */
  r1PerPrefix: RateLimit;
  /** R1s answering I1s, all sources together. */
  r1Global: RateLimit;
  /**
   * I2s with a solved puzzle that go on to the Diffie-Hellman and the signature check (the costly
   * part of a base exchange), per source prefix: `drop.rate_i2` beyond it (docs/PROTOCOL.md §7.9).
   */
  i2PerPrefix: RateLimit;
  /**
   * The same, all sources together. When it runs dry the host is under an I2 flood: R1 puzzles get
   * harder (#K + 4, at most one step a second, up to `maxLoadPuzzleK`; `puzzle.raised`) and an I2
   * beyond it goes on only if it solved a raised puzzle as hard as the one asked now (RFC 7401
   * §4.1.1); the others are `drop.rate_i2`. With #K never raised it is a hard cap.
   */
  i2Global: RateLimit;
  /** The highest #K an I2 flood raises R1 puzzles to (`puzzleK` or below: never raised). One step
   * back (#K - 4) after 30 s without a dry `i2Global` (`puzzle.lowered`). */
  maxLoadPuzzleK: number;
  /**
   * NOTIFYs whose signature is checked (the association's peer's, or a HOST_ID's whose HIT is the
   * sender's), per source prefix: each costs a verification (~0.2 ms native, ~6 ms with @noble),
   * and anyone can send them. Beyond it, dropped unverified (`drop.rate_notify`).
   */
  notifyVerifyPerPrefix: RateLimit;
  /** NOTIFYs whose signature is checked, all sources together. */
  notifyVerifyGlobal: RateLimit;
  /** Prefix lengths that form one source for the per-prefix buckets. */
  prefixV4: number;
  /** IPv6 prefix length (bits) of one source. */
  prefixV6: number;
  /** Per-prefix buckets kept (least recently used evicted). */
  maxRateEntries: number;
  /**
   * Rejoins (docs/PROTOCOL.md §7.11: an UPDATE or mobility packet of an unknown association starts
   * an exchange to its sender), per source prefix. Each makes us an Initiator: R1 verify, puzzle,
   * ECDH, signature. `rejoin.suppressed` beyond it.
   */
  rejoinPerPrefix: RateLimit;
  /** Rejoins, all sources together. */
  rejoinGlobal: RateLimit;
  /** Largest puzzle #K a rejoin solves (the peer chose it; `rejoin.puzzle_too_hard`); 0 = only #K 0. */
  rejoinMaxPuzzleK: number;
  /** Runtime SA table: SAs in the data plane (the WASM table has 4096 slots, a GCM SA holds
   * 64 KiB of GHASH tables once it carried a packet). An SA beyond it is refused (HostStack
   * counter `drop.sa_limit`). */
  maxSas: number;
  /**
   * Worker data plane (HostStack `deferEsp`): ESP datagrams waiting to be opened, and datagrams
   * waiting to be sealed, at most this many each. An ESP datagram beyond it is dropped before any
   * crypto (`esp.drop.queue-full`); a send beyond it returns "seal-failed" (`esp.drop.seal.queue-full`).
   */
  maxEspQueue: number;
  /**
   * dataPlane "worker-io" (the ESP Worker owns the sockets, runtime/io-worker.ts): ESP datagrams
   * the Worker keeps while every opened batch waits for the main thread; beyond it they are
   * dropped before any crypto (`host.stats().drops["worker.rx-backlog"]`).
   */
  workerIoBacklog: number;
  /** worker-io: raw datagrams (HIP control, unknown SPI) in flight to the main thread; beyond, dropped (`worker.rx-backlog`). */
  workerIoRaw: number;
  /** worker-io: peer IP addresses the Worker names by id; past it the table starts over (state, not a drop). */
  workerIoPeerIps: number;
  /**
   * worker-io: destinations (socket × peer locator) the Worker sends sealed packets to by id; past
   * it both tables start over (state, not a drop; `workerIo.stats.destResets`).
   */
  workerIoDests: number;
  /** Mobility: logical interfaces of one peer (REA_INFO interface IDs, draft §4.1). */
  maxPeerInterfaces: number;
  /** Mobility: addresses of one peer over all its interfaces. */
  maxPeerAddresses: number;
  /** Mobility: AC probes to one unverified IP address (any port) over every association. */
  probePerIp: ProbeWindow;
  /** Mobility: AC probes to unverified addresses, all together. */
  probeGlobal: ProbeWindow;
  /** Mobility: probe-budget entries kept (least recently used evicted). */
  maxProbeEntries: number;
}

/** Defaults (docs/PROTOCOL.md §7.9). */
export const HIP_LIMITS: Readonly<HipLimits> = Object.freeze({
  maxAssociations: 1024,
  maxHalfOpen: 256,
  ualIdleMs: 15 * 60_000,
  r1PerPrefix: { ratePerSec: 20, burst: 40 },
  r1Global: { ratePerSec: 1000, burst: 2000 },
  i2PerPrefix: { ratePerSec: 20, burst: 40 },
  i2Global: { ratePerSec: 200, burst: 400 },
  maxLoadPuzzleK: 16,
  notifyVerifyPerPrefix: { ratePerSec: 5, burst: 10 },
  notifyVerifyGlobal: { ratePerSec: 50, burst: 100 },
  prefixV4: 24,
  prefixV6: 64,
  maxRateEntries: 4096,
  rejoinPerPrefix: { ratePerSec: 2, burst: 4 },
  rejoinGlobal: { ratePerSec: 20, burst: 40 },
  rejoinMaxPuzzleK: 10,
  maxSas: 2560,
  maxEspQueue: 4096,
  workerIoBacklog: 4096,
  workerIoRaw: 1024,
  workerIoPeerIps: 4096,
  workerIoDests: 65536,
  maxPeerInterfaces: 8,
  maxPeerAddresses: 32,
  probePerIp: { maxProbes: 16, maxBytes: 3_000, windowMs: 60_000 },
  probeGlobal: { maxProbes: 512, maxBytes: 96_000, windowMs: 60_000 },
  maxProbeEntries: 1024,
});

/** How each limit is checked: only the rates may be fractional; 0 means "never" for ualIdleMs,
 *  "#K 0 only" for rejoinMaxPuzzleK and "never raised" for maxLoadPuzzleK; prefix lengths in bits; #K as `hipmm host --k` allows. */
function rule(name: string): NumberRule {
  return {
    fractional: name.endsWith(".ratePerSec"),
    zeroOk: name === "ualIdleMs" || name === "rejoinMaxPuzzleK" || name === "maxLoadPuzzleK",
    most: ({ prefixV4: 32, prefixV6: 128, rejoinMaxPuzzleK: 40, maxLoadPuzzleK: 40 } as Record<string, number>)[name],
  };
}

/** Every settable limit, in HIP_LIMITS order: "maxAssociations", …, "r1Global.ratePerSec", … */
export const HIP_LIMIT_NAMES: readonly string[] = Object.entries(HIP_LIMITS).flatMap(([k, v]) =>
  typeof v === "object" ? Object.keys(v as object).map((sub) => `${k}.${sub}`) : [k],
);

/**
 * Why `value` cannot be limit `name` (a name of HIP_LIMIT_NAMES), or undefined when it can: a
 * finite number; an integer but for the rates (`*.ratePerSec`); at least 1 but where 0 means
 * something (ualIdleMs, rejoinMaxPuzzleK, maxLoadPuzzleK); at most the ceilings (prefix lengths, #K 40). A NaN or
 * an Infinity would switch the bound off without a word (`n >= NaN` is never true).
 */
export function hipLimitProblem(name: string, value: unknown): string | undefined {
  if (!HIP_LIMIT_NAMES.includes(name)) return `unknown limit (want one of ${HIP_LIMIT_NAMES.join(", ")})`;
  return numberProblem(value, rule(name));
}

/** `HIP_LIMITS` overridden by the given fields (undefined ones keep their default); a field that
 *  is not a valid limit throws a RangeError naming it (`limits.maxAssociations: NaN: want a finite number`). */
export function resolveLimits(l: Partial<HipLimits> = {}): HipLimits {
  return overDefaults("limits", HIP_LIMITS, l, (name, value) => numberProblem(value, rule(name)));
}
