// `--limit NAME=N` (repeatable) for `hipmm host` and `hipmm fa`: the bounds against hostile peers
// set from the command line. Host: the fields of HipLimits (src/hip/limits.ts; table in
// docs/PROTOCOL.md §7.9), FIELD.SUB for a rate or probe window (r1Global.ratePerSec). FA: the
// numeric limits of FaConfig (src/fa/core/config.ts; docs/OPERATIONS.md).
import type { FaConfig } from "../fa/core/config.ts";
import { HIP_LIMITS, type HipLimits } from "../hip/limits.ts";
import { UsageError } from "./errors.ts";
import type { Args, OptionDef } from "./options.ts";

/** Every settable host limit, in HIP_LIMITS order ("maxAssociations", "r1Global.ratePerSec", …). */
export const HOST_LIMIT_NAMES: readonly string[] = Object.entries(HIP_LIMITS).flatMap(([k, v]) =>
  typeof v === "object" ? Object.keys(v as object).map((s) => `${k}.${s}`) : [k],
);

/** FaConfig fields that bound what remote hosts can make the FA hold or do. */
export const FA_LIMIT_NAMES = [
  "maxLeases", "leasesPerSource", "leasesPerHit", "spisMax", "fadPerSecond", "loadThreshold", "puzzleKMax",
  "permissionsPerLease", "leasePacketsPerSecond", "leaseBytesPerSecond", "pingPerSecond",
] as const satisfies readonly (keyof FaConfig)[];

export const HOST_LIMIT_OPTIONS: readonly OptionDef[] = [
  {
    name: "limit", arg: "NAME=N", repeat: true, default: "HIP_LIMITS, docs/PROTOCOL.md §7.9", example: "maxAssociations=256",
    help: "one limit against hostile peers: maxAssociations, maxHalfOpen, ualIdleMs, r1Global.ratePerSec, workerIoBacklog… (a wrong NAME lists them all)",
  },
];

export const FA_LIMIT_OPTIONS: readonly OptionDef[] = [
  {
    name: "limit", arg: "NAME=N", repeat: true, default: "FA_DEFAULTS, docs/OPERATIONS.md", example: "maxLeases=10000",
    help: "one limit against hostile hosts: maxLeases, leasesPerSource, leasesPerHit, fadPerSecond, leasePacketsPerSecond… (a wrong NAME lists them all)",
  },
];

interface Parsed {
  name: string;
  field: string;
  sub?: string;
  value: number;
}

/** How the values of one command's limits are checked. */
interface Rules {
  /** May be fractional (rates). */
  fractional(p: Parsed): boolean;
  /** May be 0 (meaning "never" / "off"). */
  zeroOk(p: Parsed): boolean;
  /** Ceilings by name (prefix lengths, puzzle difficulty). */
  most: Readonly<Record<string, number>>;
}

/** Parses each NAME=N against `names`: integers ≥ 1, except where `rules` allow, at most their ceiling. */
function parse(given: readonly string[], names: readonly string[], rules: Rules): Parsed[] {
  return given.map((text) => {
    const m = /^([A-Za-z0-9]+)(?:\.([A-Za-z]+))?=(\d+(?:\.\d+)?)$/.exec(text);
    const name = m ? (m[2] ? `${m[1]}.${m[2]}` : m[1]) : "";
    if (!m || !names.includes(name)) throw new UsageError(`--limit ${text}: want NAME=N with NAME one of ${names.join(", ")}`);
    const p: Parsed = { name, field: m[1], sub: m[2], value: Number(m[3]) };
    if (!rules.fractional(p) && !Number.isInteger(p.value)) throw new UsageError(`--limit ${text}: want an integer`);
    if (p.value === 0 && !rules.zeroOk(p)) throw new UsageError(`--limit ${text}: want at least ${rules.fractional(p) ? "a positive number" : 1}`);
    const most = rules.most[name];
    if (most !== undefined && p.value > most) throw new UsageError(`--limit ${text}: want at most ${most}`);
    return p;
  });
}

/** Host: only a rate may be fractional; ualIdleMs 0 means "never", rejoinMaxPuzzleK 0 "#K 0 only" (HipLimits); prefix lengths in bits. */
const HOST_RULES: Rules = { fractional: (p) => p.sub === "ratePerSec", zeroOk: (p) => p.name === "ualIdleMs" || p.name === "rejoinMaxPuzzleK", most: { prefixV4: 32, prefixV6: 128, rejoinMaxPuzzleK: 40 } };
/** FA: per-second rates and the load threshold may be fractional; puzzle #K at most 40 (as `hipmm host --k`). */
const FA_RULES: Rules = { fractional: (p) => p.name.endsWith("PerSecond") || p.name === "loadThreshold", zeroOk: () => false, most: { puzzleKMax: 40 } };

/** `hipmm host --limit` values as a partial HipLimits (undefined when none); a bad one is a UsageError. */
export function hostLimits(a: Args): Partial<HipLimits> | undefined {
  const given = a.getAll("limit");
  if (given.length === 0) return undefined;
  const out: Record<string, number | Record<string, number>> = {};
  for (const p of parse(given, HOST_LIMIT_NAMES, HOST_RULES)) {
    if (p.sub) out[p.field] = { ...(out[p.field] as Record<string, number> | undefined), [p.sub]: p.value };
    else out[p.field] = p.value;
  }
  return out as Partial<HipLimits>;
}

/** `hipmm fa --limit` values as FaConfig fields; a bad one is a UsageError. */
export function faLimits(a: Args): Partial<FaConfig> {
  const out: Record<string, number> = {};
  for (const p of parse(a.getAll("limit"), FA_LIMIT_NAMES, FA_RULES)) out[p.field] = p.value;
  return out as Partial<FaConfig>;
}
