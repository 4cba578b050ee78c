// Mobility policy (§3.3, §3.5, §6.5, §7 "Policy considerations: TBD" — these are ours).
import type { Millis } from "../core/types.ts";
import type { ProbeBudgetOptions } from "./budget.ts";

export interface MobilityPolicy {
  /** §6.5: a trusted peer's REA addresses are used at once, without waiting for the ACR. */
  trustPeer: boolean;
  /** Announce all our interfaces in an REA right after the base exchange (§3.3). */
  announceAtStart: boolean;
  /**
   * Also do so when our only address is the one the base exchange ran on (the peer knows it
   * already; the REA/AC/ACR round then only measures the RTT). Off by default, so a host with
   * one address sends no REA until it moves — and a plain RFC 7401 peer never sees one.
   */
  announceSingleAddress: boolean;
  /** How long an address left out of an REA stays usable as a fallback (make-before-break). */
  deprecatedGraceMs: Millis;
  /** REA and AC retransmission: first timeout before an RTT sample, bounds, attempts (§6.4). */
  initialRtoMs: Millis;
  minRtoMs: Millis;
  maxRtoMs: Millis;
  maxReaAttempts: number;
  maxAcAttempts: number;
  /** What we sent on the path unanswered this long (nothing heard on it since): send a liveness AC (§3.3 failover). */
  probeIntervalMs: Millis;
  /** Unanswered this long: the path is declared failed (the detection bound). Liveness runs up to
   *  2 × this + peerDeadMs after our last datagram; an idle association is not probed. */
  failoverTimeoutMs: Millis;
  /**
   * Dead peer (beyond the draft, like IKEv2 dead-peer detection): once every path to the peer
   * has failed (`peer-unreachable`) and it answered none of the liveness ACs sent for this long
   * (at least 3 of them) after data it did not answer, the association is given up without a CLOSE
   * (`peer-dead`; HIP `closed` with reason `unreachable`). 0 = never.
   */
  peerDeadMs: Millis;
  /** Per-unverified-address probe budget (§8 flooding). */
  budget: ProbeBudgetOptions;
  /** At most this many peer addresses are probed at the same time (§8). */
  maxUnverified: number;
  /** Bad ACRs tolerated for one address before it is given up (AC ID guessing, §8). */
  maxAcrMismatch: number;
  /** Family preference for site multi-homing (§3.4): 6, 4 or 0 for none. */
  preferFamily: 0 | 4 | 6;
  /** Carry the first ESP datagram inside the REA (§6.1.1, ESP_DATAGRAM parameter). */
  embedEspInRea: boolean;
  /** Interfaces whose path latencies differ by more than this get their own SA (§4.5). */
  sharedSaMaxLatencySpreadMs: Millis;
  /** Old inbound SA kept at most this long after an SA change (§6.1.1.1). */
  oldSaTimeoutMs: Millis;
  /**
   * Beyond the draft, opt-in (default off, so §6.5 holds): after an authenticated REA arrives
   * FROM an address it also lists, data may go to that address before its ACR, limited to
   * `sourceCreditFactor` × the bytes received from it (RFC 9000 §8.1, §9.3; src/mobility/credit.ts).
   */
  sourceCredit: boolean;
  sourceCreditFactor: number;
  /**
   * Bytes charged per datagram when the caller of `route()` / `dataPath()` does not give the
   * sealed size: must be an upper bound of the ESP datagrams sent (default: a 1500-byte MTU).
   */
  sourceCreditDatagramBytes: number;
  /**
   * NAT rebinding (beyond the draft, as QUIC does it, RFC 9000 §9.3): authenticated ESP or HIP
   * from a source the peer never announced becomes an unverified address on the interface of the
   * current path; once its ACR answers the AC (§5.3 address check), the data path moves to it.
   */
  followRebinding: boolean;
  /** At most this many such observed addresses are being checked at once (§8 flooding). */
  maxObserved: number;
}

export const DEFAULT_POLICY: MobilityPolicy = {
  trustPeer: false,
  announceAtStart: true,
  announceSingleAddress: false,
  deprecatedGraceMs: 5_000,
  initialRtoMs: 500,
  minRtoMs: 100,
  maxRtoMs: 4_000,
  maxReaAttempts: 8,
  maxAcAttempts: 6,
  probeIntervalMs: 500,
  failoverTimeoutMs: 1_500,
  peerDeadMs: 30_000,
  budget: { maxProbes: 8, maxBytes: 1_500, windowMs: 60_000 },
  maxUnverified: 8,
  maxAcrMismatch: 4,
  preferFamily: 0,
  embedEspInRea: true,
  sharedSaMaxLatencySpreadMs: 50,
  oldSaTimeoutMs: 2_000,
  sourceCredit: false,
  sourceCreditFactor: 3,
  sourceCreditDatagramBytes: 1_500,
  followRebinding: true,
  maxObserved: 2,
};

/** Fields that may be 0 (a grace, spread or timeout of none; peerDeadMs: never; no observed addresses). */
const ZERO_OK: ReadonlySet<string> = new Set(["deprecatedGraceMs", "peerDeadMs", "sharedSaMaxLatencySpreadMs", "oldSaTimeoutMs", "maxObserved", "maxAcrMismatch"]);

/** A number field of the policy: finite, an integer (sourceCreditFactor may be fractional), at least 1 (0 where ZERO_OK). */
function checkNumber(name: string, v: unknown): void {
  const fractional = name === "sourceCreditFactor";
  const ok = typeof v === "number" && Number.isFinite(v) && (fractional || Number.isInteger(v)) && (v > 0 || (v === 0 && ZERO_OK.has(name))) && v <= 2 ** 31;
  if (!ok) throw new RangeError(`MobilityPolicy.${name}: ${String(v)}: want ${fractional ? "a positive number up to" : `an integer from ${ZERO_OK.has(name) ? 0 : 1} to`} ${2 ** 31}`);
}

/**
 * The policy: `p` over DEFAULT_POLICY (a field given as undefined keeps its default). A number
 * that is NaN, infinite, negative, fractional or 0 where 0 means nothing is a RangeError naming
 * the field: as a timeout it would fire at once or never, as a bound it would bound nothing.
 */
export function makePolicy(p: Partial<MobilityPolicy> = {}): MobilityPolicy {
  const out = { ...DEFAULT_POLICY, budget: { ...DEFAULT_POLICY.budget } } as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_POLICY)) throw new RangeError(`MobilityPolicy.${k}: unknown field`);
    if (k === "budget") {
      for (const [b, x] of Object.entries(v as object)) {
        if (x === undefined) continue;
        if (!(b in DEFAULT_POLICY.budget)) throw new RangeError(`MobilityPolicy.budget.${b}: unknown field`);
        checkNumber(`budget.${b}`, x);
        (out.budget as Record<string, unknown>)[b] = x;
      }
      continue;
    }
    const def = (DEFAULT_POLICY as unknown as Record<string, unknown>)[k];
    if (k === "preferFamily") {
      if (v !== 0 && v !== 4 && v !== 6) throw new RangeError(`MobilityPolicy.preferFamily: ${String(v)}: want 0, 4 or 6`);
    } else if (typeof def === "number") checkNumber(k, v);
    else if (typeof v !== typeof def) throw new RangeError(`MobilityPolicy.${k}: ${String(v)}: want a ${typeof def}`);
    out[k] = v;
  }
  return out as unknown as MobilityPolicy;
}
