// Mobility policy (§3.3, §3.5, §6.5, §7 "Policy considerations: TBD" — these are ours).
import { numberProblem, overDefaults } from "../core/settings.ts";
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

/** Why `v` cannot be policy field `name` (default `def`): numbers as counts or timeouts (finite,
 *  integers but sourceCreditFactor, at least 1 but where 0 means none, at most 2^31), preferFamily
 *  0 / 4 / 6, the others of their default's type. */
function policyProblem(name: string, v: unknown, def: unknown): string | undefined {
  if (name === "preferFamily") return v === 0 || v === 4 || v === 6 ? undefined : `${String(v)}: want 0, 4 or 6`;
  if (typeof def === "number") return numberProblem(v, { fractional: name === "sourceCreditFactor", zeroOk: ZERO_OK.has(name), most: 2 ** 31 });
  return typeof v === typeof def ? undefined : `${String(v)}: want a ${typeof def}`;
}

/**
 * The policy: `p` over DEFAULT_POLICY (a field given as undefined keeps its default). A number
 * that is NaN, infinite, negative, fractional or 0 where 0 means nothing is a RangeError naming
 * the field: as a timeout it would fire at once or never, as a bound it would bound nothing.
 */
export function makePolicy(p: Partial<MobilityPolicy> = {}): MobilityPolicy {
  return overDefaults("MobilityPolicy", DEFAULT_POLICY, p, policyProblem);
}
