// `hipmm host --limit NAME=N`: the host's state and rate limits against hostile peers (HipLimits,
// src/hip/limits.ts; table in docs/PROTOCOL.md §7.9), settable from the command line. NAME is a
// field of HIP_LIMITS, or FIELD.SUB for the rate and probe windows (r1Global.ratePerSec).
import { HIP_LIMITS, type HipLimits } from "../hip/limits.ts";
import { UsageError } from "./errors.ts";
import type { Args, OptionDef } from "./options.ts";

export const LIMIT_OPTIONS: readonly OptionDef[] = [
  {
    name: "limit", arg: "NAME=N", repeat: true, default: "HIP_LIMITS, docs/PROTOCOL.md §7.9", example: "maxAssociations=256",
    help: "one limit against hostile peers: maxAssociations, maxHalfOpen, ualIdleMs, r1Global.ratePerSec, workerIoBacklog… (a wrong NAME lists them all)",
  },
];

/** Every settable name, in HIP_LIMITS order ("maxAssociations", "r1Global.ratePerSec", …). */
export const LIMIT_NAMES: readonly string[] = Object.entries(HIP_LIMITS).flatMap(([k, v]) =>
  typeof v === "object" ? Object.keys(v as object).map((s) => `${k}.${s}`) : [k],
);

/** The --limit values as a partial HipLimits (undefined when none); a bad one is a UsageError. */
export function limitsConfig(a: Args): Partial<HipLimits> | undefined {
  const given = a.getAll("limit");
  if (given.length === 0) return undefined;
  const out: Record<string, number | Record<string, number>> = {};
  for (const text of given) {
    const m = /^([A-Za-z0-9]+)(?:\.([A-Za-z]+))?=(\d+(?:\.\d+)?)$/.exec(text);
    const name = m ? (m[2] ? `${m[1]}.${m[2]}` : m[1]) : "";
    if (!m || !LIMIT_NAMES.includes(name)) {
      throw new UsageError(`--limit ${text}: want NAME=N with NAME one of ${LIMIT_NAMES.join(", ")}`);
    }
    const v = Number(m[3]);
    // Only a rate may be fractional; ualIdleMs 0 means "never" (HipLimits), every other count ≥ 1.
    const rate = m[2] === "ratePerSec";
    if (!rate && !Number.isInteger(v)) throw new UsageError(`--limit ${text}: want an integer`);
    if (v === 0 && name !== "ualIdleMs") throw new UsageError(`--limit ${text}: want at least ${rate ? "a positive rate" : 1}`);
    if (m[2]) out[m[1]] = { ...(out[m[1]] as Record<string, number> | undefined), [m[2]]: v };
    else out[m[1]] = v;
  }
  return out as Partial<HipLimits>;
}
