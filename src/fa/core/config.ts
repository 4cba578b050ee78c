// Forwarding Agent configuration (draft §4.4, PROFILE §2) and its defaults.
import { numberProblem } from "../../core/settings.ts";
import type { Locator } from "../../core/types.ts";
import { HOLDER_DEFAULTS, type HolderConfig } from "./holder.ts";

/** When FAQs are challenged with a puzzle (R1): never, always (except the allow list), or under load. */
export type PuzzleMode = "off" | "on" | "auto";

/** Lease holder liveness knobs: holder.ts. */
export interface FaConfig extends HolderConfig {
  /** Where the FA takes FAQs and relay frames from hosts, one per address family in use. */
  control: Locator[];
  /** Shared IPv4 locators leased with SPI ranges (addr type 4); may repeat a control locator. */
  shared4: Locator[];
  /** Dedicated locators for addr type 6, one per lease (IPv6 addresses, or ports of one address). */
  pool6: Locator[];
  /** SPI space for shared locators, block aligned (SPI_BLOCK); SPIs 0-255 are reserved (RFC 4303 §2.1). */
  spiFirst: number;
  /** Last SPI of that space. */
  spiLast: number;
  /** SPIs granted when the FAQ names no count, and the most one lease gets. */
  spisDefault: number;
  /** Most SPIs one lease gets. */
  spisMax: number;
  /** Lease lifetime in seconds when the FAQ leaves it empty, and the most the FA grants. */
  leaseDefault: number;
  /** Longest lease the FA grants (s). */
  leaseMax: number;
  /** Most leases one HIT may hold. */
  leasesPerHit: number;
  /** Access control by HIT (hex), §4.4.1: deny wins; a non-empty allow list admits only its HITs. */
  allow: ReadonlySet<string>;
  /** HITs (hex) refused. */
  deny: ReadonlySet<string>;
  /** off: never challenge; on: challenge every host not on the allow list; auto: only under load. */
  puzzle: PuzzleMode;
  /** Puzzle difficulty #K at rest and its ceiling under load. */
  puzzleK: number;
  /** #K ceiling under load. */
  puzzleKMax: number;
  /** FAQs per second above which the FA is "under load" (auto mode challenges, #K rises). */
  loadThreshold: number;
  /** At most this many FADs per second (each costs a signature); the rest are dropped. */
  fadPerSecond: number;
  /** Most leases the FA holds in all (issue 9 item 5); FAD FA_FULL beyond. */
  maxLeases: number;
  /** Most leases created from one source IP address (a tunnel counts as its peer's address). */
  leasesPerSource: number;
  /** Relay only to peers the lease holder has a HIP exchange with (TURN-style permissions,
   *  docs/PROTOCOL.md §9 "Relay rule"). false = forward every HIP/ESP frame (tests of raw
   *  forwarding only). */
  relayPermissions: boolean;
  /** Most peer addresses (and peer HITs) remembered per lease; the oldest is evicted. */
  permissionsPerLease: number;
  /** Per-lease forwarding budget, both directions (token buckets, one second of burst). */
  leasePacketsPerSecond: number;
  /** Bytes per second a lease may have forwarded. */
  leaseBytesPerSecond: number;
  /** Relay to loopback destinations: undefined = only when one FA locator is itself loopback. */
  allowLoopback?: boolean;
  /** Relay to link-local destinations (169.254/16, fe80::/10). */
  allowLinkLocal: boolean;
  /** The FA host's own addresses besides its locators (e.g. when bound to 0.0.0.0): refused as
   *  relay destinations. */
  ownAddresses: readonly string[];
  /** PINGs answered per tunnel per second (burst twice that); the rest are dropped. */
  pingPerSecond: number;
}

/** Defaults of every {@link FaConfig} field (docs/OPERATIONS.md). */
export const FA_DEFAULTS: FaConfig = {
  control: [],
  shared4: [],
  pool6: [],
  spiFirst: 0x0001_0000,
  spiLast: 0xffff_ffff,
  spisDefault: 16,
  spisMax: 256,
  leaseDefault: 600,
  leaseMax: 3600,
  leasesPerHit: 4,
  allow: new Set(),
  deny: new Set(),
  puzzle: "auto",
  puzzleK: 8,
  puzzleKMax: 20,
  loadThreshold: 200,
  fadPerSecond: 100,
  maxLeases: 65_536,
  leasesPerSource: 128,
  relayPermissions: true,
  permissionsPerLease: 64,
  leasePacketsPerSecond: 20_000,
  leaseBytesPerSecond: 25_000_000,
  allowLinkLocal: false,
  ownAddresses: [],
  pingPerSecond: 4,
  ...HOLDER_DEFAULTS,
};

/** FaConfig fields that bound what remote hosts can make the FA hold or do (`hipmm fa --limit`). */
export const FA_LIMIT_NAMES = [
  "maxLeases", "leasesPerSource", "leasesPerHit", "spisMax", "fadPerSecond", "loadThreshold", "puzzleKMax",
  "permissionsPerLease", "leasePacketsPerSecond", "leaseBytesPerSecond", "pingPerSecond",
] as const satisfies readonly (keyof FaConfig)[];

/** Numeric fields that may be 0 (maxLeases 0: FA_FULL to every FAQ, a draining FA); ceilings. */
const ZERO_OK: ReadonlySet<string> = new Set(["puzzleK", "holderQueue", "maxLeases"]);
const MOST: Readonly<Record<string, number>> = { puzzleK: 40, puzzleKMax: 40, spiFirst: 0xffff_ffff, spiLast: 0xffff_ffff };

/**
 * Why `value` cannot be the numeric FaConfig field `name`, or undefined when it can: a finite
 * number, an integer but for the rates (`*PerSecond`, loadThreshold), at least 1 (puzzleK,
 * holderQueue and maxLeases: 0), at most the ceilings (#K 40, SPIs 32 bits). A NaN would switch a bound off.
 */
export function faLimitProblem(name: string, value: unknown): string | undefined {
  return numberProblem(value, { fractional: name.endsWith("PerSecond") || name === "loadThreshold", zeroOk: ZERO_OK.has(name), most: MOST[name] });
}

/** Throws a RangeError naming the first numeric field of `c` that is not a valid setting (faLimitProblem),
 *  or an SPI range that is empty or reaches into the reserved SPIs 0-255 (RFC 4303 §2.1). */
export function checkFaConfig(c: FaConfig): void {
  for (const [name, def] of Object.entries(FA_DEFAULTS)) {
    if (typeof def !== "number") continue;
    const problem = faLimitProblem(name, (c as unknown as Record<string, unknown>)[name]);
    if (problem) throw new RangeError(`FaConfig.${name}: ${problem}`);
  }
  if (c.spiFirst < 256 || c.spiFirst > c.spiLast) throw new RangeError(`FaConfig.spiFirst..spiLast: ${c.spiFirst}..${c.spiLast}: want 256 ≤ first ≤ last`);
}

/** A full configuration: `partial` over {@link FA_DEFAULTS} (undefined fields keep their default);
 *  checked by {@link checkFaConfig}. */
export function faConfig(partial: Partial<FaConfig>): FaConfig {
  const c = { ...FA_DEFAULTS } as Record<string, unknown>;
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) c[k] = v;
  checkFaConfig(c as unknown as FaConfig);
  return c as unknown as FaConfig;
}
