// `--limit NAME=N` (repeatable) for `hipmm host` and `hipmm fa`: the bounds against hostile peers
// set from the command line. Host: the fields of HipLimits (src/hip/limits.ts; table in
// docs/PROTOCOL.md §7.9), FIELD.SUB for a rate or probe window (r1Global.ratePerSec). FA: the
// numeric limits of FaConfig (src/fa/core/config.ts; docs/OPERATIONS.md).
import { FA_LIMIT_NAMES, type FaConfig, faLimitProblem } from "../fa/core/config.ts";
import { HIP_LIMIT_NAMES, type HipLimits, hipLimitProblem } from "../hip/limits.ts";
import { UsageError } from "./errors.ts";
import type { Args, OptionDef } from "./options.ts";

/** Every settable host limit, in HIP_LIMITS order ("maxAssociations", "r1Global.ratePerSec", …). */
export const HOST_LIMIT_NAMES: readonly string[] = HIP_LIMIT_NAMES;
export { FA_LIMIT_NAMES };

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

/** Parses each NAME=N against `names`; the value is checked by the library's own rules
 *  (`problem`: hipLimitProblem, faLimitProblem), so the command line and the API agree. */
function parse(given: readonly string[], names: readonly string[], problem: (name: string, value: number) => string | undefined): Parsed[] {
  return given.map((text) => {
    const m = /^([A-Za-z0-9]+)(?:\.([A-Za-z]+))?=(\d+(?:\.\d+)?)$/.exec(text);
    const name = m ? (m[2] ? `${m[1]}.${m[2]}` : m[1]) : "";
    if (!m || !names.includes(name)) throw new UsageError(`--limit ${text}: want NAME=N with NAME one of ${names.join(", ")}`);
    const p: Parsed = { name, field: m[1], sub: m[2], value: Number(m[3]) };
    const why = problem(name, p.value);
    if (why) throw new UsageError(`--limit ${text}: ${why.replace(/^[^:]*: /, "")}`);
    return p;
  });
}

/** `hipmm host --limit` values as a partial HipLimits (undefined when none); a bad one is a UsageError. */
export function hostLimits(a: Args): Partial<HipLimits> | undefined {
  const given = a.getAll("limit");
  if (given.length === 0) return undefined;
  const out: Record<string, number | Record<string, number>> = {};
  for (const p of parse(given, HOST_LIMIT_NAMES, hipLimitProblem)) {
    if (p.sub) out[p.field] = { ...(out[p.field] as Record<string, number> | undefined), [p.sub]: p.value };
    else out[p.field] = p.value;
  }
  return out as Partial<HipLimits>;
}

/** `hipmm fa --limit` values as FaConfig fields; a bad one is a UsageError. */
export function faLimits(a: Args): Partial<FaConfig> {
  const out: Record<string, number> = {};
  for (const p of parse(a.getAll("limit"), FA_LIMIT_NAMES, faLimitProblem)) out[p.field] = p.value;
  return out as Partial<FaConfig>;
}
