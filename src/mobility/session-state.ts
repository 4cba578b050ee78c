// Per-association readdressing state (draft §4.2-§4.3, §5.3, §6.4-§6.5) shared by the parts of
// MobilitySession (session.ts): REA/AC/ACR exchange in session-exchange.ts, inputs, outputs and
// liveness in session.ts. Sans-I/O (ARCHITECTURE.md).
import type { Locator, Millis, Rng, Transmit } from "../core/types.ts";
import { locatorKey, sameLocator } from "../core/types.ts";
import { ProbeBudget } from "./budget.ts";
import { SourceCredit } from "./credit.ts";
import type { MobilityContext } from "./context.ts";
import { type LocalModel, PeerModel } from "./model.ts";
import { PathSelector } from "./paths.ts";
import type { MobilityPolicy } from "./policy.ts";
import { RttEstimator } from "./rtt.ts";
import type { Path, MobilityCounters, MobilityEvent, RejectReason } from "./types.ts";
import { FA_INTERFACE, newCounters } from "./types.ts";

export interface SentRea {
  reaId: number;
  interfaces: number[];
  listed: Locator[];
  firstSentAt: Millis;
  attempts: number;
  nextAt: Millis;
  acked: boolean;
  /** The last attempt found no path: send as soon as one appears. */
  unsent?: boolean;
  /** Sealing waits for our signature (a crypto job, rea-verify.ts ReaSignatures.sign). */
  awaitingSignature?: boolean;
  esp?: Uint8Array;
  /** `esp` has left in a copy of this REA (retransmissions do not carry it). */
  espSent?: boolean;
  /** "Current SPI" per interface, fixed when the REA is first built: a retransmission (or the
   *  seal after a signature job) names the same SA as the first copy (§6.1.1.1). */
  currentSpi?: Map<number, number>;
}

export interface PendingAc {
  to: Locator;
  from: Locator;
  reaId: number;
  timestamp: number;
  liveness: boolean;
}

export interface Probe {
  attempts: number;
  nextAt: Millis;
  mismatches: number;
}

export interface SessionOptions {
  ctx: MobilityContext;
  local: LocalModel;
  policy: MobilityPolicy;
  rng: Rng;
  now: Millis;
  /** The peer locator used in the base exchange (implicitly verified by it). */
  peerLocator?: Locator;
  /** Our locator in the base exchange: the peer already knows it, so a host with no other address has nothing to announce. */
  localLocator?: Locator;
  /** Host-wide probe budget every session's probes are charged to as well (limits.probePerIp / probeGlobal). */
  hostBudget?: ProbeBudget;
  /** State limits from the host (src/hip/limits.ts). */
  limits?: SessionLimits;
}

/** The per-peer limits of src/hip/limits.ts a session enforces. */
export interface SessionLimits {
  maxPeerInterfaces: number;
  maxPeerAddresses: number;
  maxProbeEntries: number;
}

export const SESSION_LIMITS: SessionLimits = { maxPeerInterfaces: 8, maxPeerAddresses: 32, maxProbeEntries: 1024 };

export const HISTORY = 8;

/** Fields and shared helpers of MobilitySession. */
export abstract class SessionState {
  readonly peer: PeerModel;
  readonly paths: PathSelector;
  readonly rtt: RttEstimator;
  readonly counters: MobilityCounters = newCounters();
  readonly budget: ProbeBudget;
  /** Data allowed before the ACR to an REA's own source address (policy `sourceCredit`). */
  readonly credit: SourceCredit;
  /** Smoothed RTT per local interface, from ACRs to ACs sent from it (input to saLayout, §4.5). */
  readonly interfaceRtt = new Map<number, Millis>();
  protected readonly probedInterfaces = new Set<number>();
  /** Our interfaces that had a usable address at the last local change (returning ones are held). */
  protected usableIfs = new Set<number>();
  /** Every interface of ours that ever had a usable address during this session. */
  protected readonly everUsableIfs = new Set<number>();
  protected readonly ctx: MobilityContext;
  protected readonly local: LocalModel;
  protected readonly policy: MobilityPolicy;
  protected readonly rng: Rng;
  protected readonly limits: SessionLimits;
  protected readonly announced = new Map<number, number>();
  protected readonly announcedSpi = new Map<number, number>();
  protected seenGeneration = -1;
  protected reaId: number;
  protected readonly sent: SentRea[] = [];
  protected lastPeerReaId: number | undefined;
  protected readonly pendingAcs = new Map<number, PendingAc>();
  protected readonly answeredAcs = new Set<number>();
  /** AC IDs of the peer's ACs we answered: a repeat is a replay or a network duplicate. */
  protected readonly peerAcIds = new Set<number>();
  protected readonly probes = new Map<string, Probe>();
  protected readonly transmits: Transmit[] = [];
  protected readonly events: MobilityEvent[] = [];
  protected espForRea: Uint8Array | undefined;
  /** Recovery probes of suspect (silent) addresses: next time and probes left. */
  protected readonly recovery = new Map<string, { at: Millis; left: number; path: Path }>();
  /** Sources of authenticated traffic being address-checked (NAT rebinding, policy `followRebinding`). */
  protected readonly observed = new Set<string>();
  /** Last authentic packet (ESP or HIP) from the peer; the session's start before the first. */
  protected heardAt: Millis;
  /** While every path to the peer has failed (peer-unreachable): since when, liveness ACs sent since. */
  protected unreachable: { at: Millis; probes: number } | undefined;
  /** Set by reject(): the packet being handled was not accepted. */
  protected rejectedNow = false;
  /** Set by onRea(): the REA being handled started source credit (its bytes are counted). */
  protected grantedNow = false;

  constructor(o: SessionOptions) {
    this.ctx = o.ctx;
    this.heardAt = o.now;
    this.local = o.local;
    this.policy = o.policy;
    this.rng = o.rng;
    this.peer = new PeerModel(o.peerLocator, o.ctx.spis().outbound, o.now, relayed(o.local, o.localLocator));
    this.credit = new SourceCredit(o.policy.sourceCreditFactor);
    this.paths = new PathSelector(o.local, this.peer, o.policy, (to) => o.policy.sourceCredit && this.credit.has(to));
    this.rtt = new RttEstimator(o.policy.initialRtoMs, o.policy.minRtoMs, o.policy.maxRtoMs);
    this.limits = o.limits ?? SESSION_LIMITS;
    this.budget = new ProbeBudget({ ...o.policy.budget, maxEntries: this.limits.maxProbeEntries }, o.hostBudget);
    this.reaId = this.random16() & 0x7fff;
    // §5.3: REAs tell the peer about changed or additional addresses. A host whose only address is
    // the one the base exchange ran on has nothing to tell (and a plain RFC 7401 peer is spared
    // packet types it does not know).
    const announce = o.policy.announceAtStart && (o.policy.announceSingleAddress || !onlyAddressIs(o.local, o.localLocator));
    if (!announce) for (const itf of o.local.interfaces.values()) this.announced.set(itf.id, itf.version);
    this.seenGeneration = announce ? -1 : o.local.generation;
    this.usableIfs = new Set(o.local.usable().map((u) => u.ifId));
    for (const id of this.usableIfs) this.everUsableIfs.add(id);
    this.reselect(o.now, "base-exchange");
  }

  protected abstract transmitRea(now: Millis, r: SentRea): void;

  protected failAddress(now: Millis, l: Locator, reason: "no-acr" | "silent" | "budget"): void {
    this.events.push({ type: "address-failed", t: now, locator: l, reason });
    const f = this.peer.find(l);
    if (f && f.addr.verifiedAt === undefined) {
      this.credit.clear(l);
      f.addr.status = "deprecated";
      f.addr.expiresAt = now;
    }
    this.reselect(now, `failover:${reason}`);
  }

  /** Something authentic arrived from the peer: it is reachable (again). */
  protected heard(now: Millis): void {
    const silentMs = now - this.heardAt;
    this.heardAt = now;
    if (this.unreachable === undefined) return;
    this.unreachable = undefined;
    this.counters.peerReachable++;
    this.events.push({ type: "peer-reachable", t: now, silentMs });
  }

  protected reselect(now: Millis, reason: string): void {
    const prev = this.paths.path;
    if (!this.paths.reselect(now)) return;
    this.events.push({ type: "path-changed", t: now, path: this.paths.path, previous: prev, reason });
    if (!prev) for (const r of this.sent) if (r.unsent && !r.acked && r.nextAt !== Number.POSITIVE_INFINITY) this.transmitRea(now, r);
  }

  /**
   * An observed source passed the address check: like QUIC after a NAT rebinding (RFC 9000 §9.3)
   * the address the data path went to is retired (kept for the grace period) so data follows.
   */
  protected adoptObserved(now: Millis, l: Locator): void {
    if (!this.observed.delete(locatorKey(l))) return;
    const cur = this.paths.path?.to;
    const old = cur && !sameLocator(cur, l) ? this.peer.find(cur)?.addr : undefined;
    if (old && old.status !== "deprecated") {
      old.status = "deprecated";
      old.preferred = false;
      old.expiresAt = Math.min(old.expiresAt, now + this.policy.deprecatedGraceMs);
    }
    this.counters.rebindings++;
  }

  protected creditReceived(from: Locator, bytes: number): void {
    this.credit.received(from, bytes);
  }

  protected verified(l: Locator): boolean {
    return this.peer.findAddr(l)?.verifiedAt !== undefined;
  }

  protected reject(now: Millis, reason: RejectReason, from: Locator): void {
    this.rejectedNow = true;
    this.counters.rejected[reason]++;
    this.events.push({ type: "rejected", t: now, reason, from });
  }

  protected random16(): number {
    const b = this.rng.fill(new Uint8Array(2));
    return (b[0] << 8) | b[1];
  }
}

/** True when the model's one visible address is `l`. */
/** FA_INTERFACE when `at` (our address a packet arrived at) is our leased locator (MmAddress.onlyFrom). */
export function relayed(local: LocalModel, at: Locator | undefined): number | undefined {
  return at && local.interfaceOf(at)?.id === FA_INTERFACE ? FA_INTERFACE : undefined;
}

function onlyAddressIs(local: LocalModel, l: Locator | undefined): boolean {
  if (!l) return false;
  const addrs = [...local.interfaces.values()].filter((i) => i.up && !i.hidden).flatMap((i) => i.addresses);
  return addrs.length === 1 && sameLocator(addrs[0].locator, l);
}
