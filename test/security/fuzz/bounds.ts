// State-size invariant of the stateful fuzzer: every table remote input can grow stays within the
// configured limits. Limits are read from the host's configuration when it has them
// (HipHostConfig.limits, issue 9 item 5, resolved as `HipHost.limits`; FaConfig.maxLeases /
// leasesPerHit for the FA); otherwise the fallback below applies (same names and defaults as the
// `limits` config being added, so a violation means "no limit, grew past the default").
import type { ForwardingAgent } from "../../../src/fa/core/agent.ts";
import type { FuzzHost } from "./host.ts";

export interface Limits {
  maxAssociations: number;
  maxHalfOpen: number;
  maxSas: number;
  maxPeerInterfaces: number;
  maxPeerAddresses: number;
  maxProbeEntries: number;
  maxLeases: number;
}

export const FALLBACK_LIMITS: Limits = {
  maxAssociations: 1024,
  maxHalfOpen: 256,
  maxSas: 3840,
  maxPeerInterfaces: 8,
  maxPeerAddresses: 32,
  maxProbeEntries: 1024,
  maxLeases: 65_536,
};

type Loose = Record<string, unknown> | undefined;

function num(o: Loose, k: string): number | undefined {
  const v = o?.[k];
  return typeof v === "number" ? v : undefined;
}

/** The limits a host enforces (its config when present, else the fallback), and where they came from. */
export function hostLimits(h: FuzzHost, fa?: ForwardingAgent): { limits: Limits; source: "config" | "fallback" } {
  const host = h.stack.host as unknown as Record<string, unknown>;
  const cfg = host.cfg as Record<string, unknown> | undefined;
  const l = (host.limits ?? cfg?.limits) as Loose;
  const fl = (fa as unknown as { config?: Loose } | undefined)?.config;
  const out = { ...FALLBACK_LIMITS };
  for (const k of Object.keys(out) as (keyof Limits)[]) out[k] = num(l, k) ?? out[k];
  out.maxLeases = num(fl, "maxLeases") ?? out.maxLeases;
  return { limits: out, source: l ? "config" : "fallback" };
}

function size(o: unknown, ...path: string[]): number | undefined {
  let x = o as Record<string, unknown> | undefined;
  for (const p of path) x = x?.[p] as Record<string, unknown> | undefined;
  const s = (x as { size?: unknown } | undefined)?.size;
  return typeof s === "number" ? s : undefined;
}

/** Violations of the state-size invariant on `h` (empty when within the limits). */
export function checkBounds(h: FuzzHost, l: Limits): string[] {
  const bad: string[] = [];
  let n = 0;
  let half = 0;
  for (const a of h.stack.host.associations()) {
    n++;
    if (a.state === "I1-SENT" || a.state === "I2-SENT" || a.state === "R2-SENT") half++;
  }
  if (n > l.maxAssociations) bad.push(`${h.name}: ${n} associations > maxAssociations ${l.maxAssociations}`);
  if (half > l.maxHalfOpen) bad.push(`${h.name}: ${half} half-open > maxHalfOpen ${l.maxHalfOpen}`);
  if (h.dp.size > l.maxSas) bad.push(`${h.name}: ${h.dp.size} SAs in the data plane > maxSas ${l.maxSas}`);
  const mob = h.stack.mobility;
  // A global probe budget (being added) or one per session.
  const global = size(mob, "hostBudget", "entries") ?? size(mob, "budget", "entries");
  if (global !== undefined && global > l.maxProbeEntries) bad.push(`${h.name}: ${global} probe-budget entries > maxProbeEntries ${l.maxProbeEntries}`);
  for (const { session } of mob?.sessions() ?? []) {
    const itfs = session.peer.interfaces.size;
    // +1: the base-exchange pseudo-interface the model keeps besides the announced ones.
    if (itfs > l.maxPeerInterfaces + 1) bad.push(`${h.name}: peer has ${itfs} REA interfaces > maxPeerInterfaces ${l.maxPeerInterfaces}`);
    const addrs = session.peer.all().length;
    if (addrs > l.maxPeerAddresses) bad.push(`${h.name}: peer has ${addrs} addresses > maxPeerAddresses ${l.maxPeerAddresses}`);
    const e = size(session, "budget", "entries");
    if (e !== undefined && e > l.maxProbeEntries) bad.push(`${h.name}: ${e} probe-budget entries in one session > maxProbeEntries ${l.maxProbeEntries}`);
  }
  return bad;
}

/** FA lease table within its cap. */
export function checkFaBounds(fa: ForwardingAgent, l: Limits): string[] {
  const n = fa.store.size;
  return n > l.maxLeases ? [`FA: ${n} leases > maxLeases ${l.maxLeases}`] : [];
}
