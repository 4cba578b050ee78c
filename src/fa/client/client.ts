// Lease client: a HipHost extension (src/hip/types.ts HipExtension) that acquires, renews and
// releases an address lease from a Forwarding Agent (draft §4.4.1, §5.1, §5.2, §6.2), answers
// the FA's R1 puzzle, exposes the leased locator as an address of a logical interface (§6.4),
// and moves to another lease when its FA goes silent (§4.4.2). Sans-I/O: time is passed in;
// packets go out through HipHost.send (so the runtime's normal transmit path carries them).
import { sha384 } from "@noble/hashes/sha2.js";
import { equalBytes } from "../../core/bytes.ts";
import { intSetting } from "../../core/settings.ts";
import { type Locator, type Millis, sameLocator, type Transmit } from "../../core/types.ts";
import type { HipHost } from "../../hip/host.ts";
import { puzzleLifetimeMs } from "../../hip/puzzle.ts";
import { PacketType } from "../../wire/constants.ts";
import { emitPacketPrefix, type HipPacket } from "../../wire/packet.ts";
import type { SolutionParam } from "../../wire/params/index.ts";
import type { AddrType } from "../store/lease.ts";
import { type FaqFields, faSignatureInput, parseFaPacket, type SignedFaPacket, unsignedFaq, withFaqSignature } from "../core/messages.ts";
import { FadReason, fadReasonName } from "../core/reasons.ts";
import { unwrapRelay, wrapRelay } from "../core/relay.ts";
import { emitProbe, probeType } from "../core/holder-probe.ts";
import { TunnelFrameType } from "../../wire/tunnel.ts";

/** A probe from the FA after this long without anything from it reports `fa-alive`. */
const FA_QUIET_MS = 250;

/** A Forwarding Agent to lease from. */
export interface FaTarget {
  /** The FA's locator (FAQ destination). */
  locator: Locator;
  /** The FA's HIT if known (else the FAQ goes to the NULL HIT and the first FAA names it). */
  hit?: Uint8Array;
}

/**
 * The Request ID of the wall clock (`ms`: Date.now()), one step per 64 ms. IDs compare as 16-bit
 * serial numbers (half a cycle: 35 minutes), so a restarted host's first FAQ is newer than its
 * previous run's last one if that was sent more than 64 ms and less than 35 minutes earlier
 * (a lease is renewed at half its lifetime: every 30 minutes at the default `leaseMax` 3600 s).
 */
export function wallClockRequestId(ms: number): number {
  return Math.floor(ms / 64) & 0xffff;
}

/** FAD reasons for a new lease worth asking again (elsewhere, or later). */
const PASSING = new Set<number>([FadReason.STORE_FAILED, FadReason.FA_FULL, FadReason.TOO_MANY_FROM_SOURCE, FadReason.NO_ADDRESSES, FadReason.NO_SPIS]);

/** A setting that cannot work (a NaN retry interval never retries, a lifetime over 32 bits goes out
 *  wrapped) is a RangeError naming the field, when the client is made. */
function checkClientOptions(o: FaClientOptions): void {
  const n = (name: string, least: number, most: number) => intSetting(`fa.${name}`, (o as unknown as Record<string, number | undefined>)[name], least, least, most);
  if (o.addrType !== undefined && o.addrType !== 0 && o.addrType !== 4 && o.addrType !== 6) throw new RangeError(`fa.addrType: ${String(o.addrType)}: want 0, 4 or 6`);
  n("spis", 0, 0xffff_ffff); // Max SPI is 32 bits (§5.1)
  n("lifetime", 0, 0xffff_ffff); // Lease duration: 32 bits (§5.1)
  n("retryMs", 1, 2 ** 31);
  n("tries", 1, 1000);
  n("maxK", 0, 255);
  n("silenceMs", 1, 2 ** 31);
  // renewAt ≥ 1 renews only once the lease ran out (a test of expiry uses it).
  if (o.renewAt !== undefined && !(o.renewAt > 0 && Number.isFinite(o.renewAt))) throw new RangeError(`fa.renewAt: ${o.renewAt}: want a positive number (the fraction of the lease left)`);
  if (o.wallOffsetMs !== undefined && !Number.isFinite(o.wallOffsetMs)) throw new RangeError(`fa.wallOffsetMs: ${o.wallOffsetMs}: want a finite number`);
}

/** Options of {@link FaClient}. */
export interface FaClientOptions {
  /** FAs in order of preference; on a crash the client moves to the next (§4.4.2). */
  fas: FaTarget[];
  /** §5.1: desired address type (0 = either), SPIs, lifetime (s); all optional. */
  addrType?: 0 | AddrType;
  /** SPIs wanted (IPv4 lease on a shared locator, §5.1). */
  spis?: number;
  /** Lease lifetime wanted (s). */
  lifetime?: number;
  /** Local locator to talk to the FA from (multi-homing), if it matters. */
  from?: Locator;
  /** Renew when this fraction of the lease is left (§5.2 "about to expire"). Default 0.5. */
  renewAt?: number;
  /** FAQ retransmission: first timeout, tries. Default 1000 ms, 4 tries (1+2+4+8 s). */
  retryMs?: Millis;
  /** FAQ transmissions before moving to the next FA. */
  tries?: number;
  /** Largest #K we solve. Default 24. */
  maxK?: number;
  /**
   * Wall-clock time minus the `now` the client is driven with (ms). When set, each FAQ's Request ID
   * is the wall clock in 64 ms steps (`wallClockRequestId`), or the previous ID + 1 if that
   * is not newer. An FA drops a new-lease FAQ whose ID is older than that of a lease the HIT holds
   * (a replay, docs/PROTOCOL.md §9): a host that restarted with a random first ID was shut out
   * half the time until its old lease expired. RuntimeHost sets it. Default: unset (IDs start at
   * a random value and count up; the simulator).
   */
  wallOffsetMs?: number;
  /** Location privacy (§3.2): announce only leased addresses. */
  privacy?: boolean;
  /**
   * After this long without a relay frame from the FA (while leased), renew at once: a dead FA
   * is then noticed after silenceMs + the renewal's retries (§4.4.2). Default: off.
   */
  silenceMs?: Millis;
  /** The FAs are nodes of one fleet sharing leases (docs/PROTOCOL.md §13): when one goes dead,
   *  renew the same lease at the next (same locator and SPI range, no REA) instead of a new one. */
  fleet?: boolean;
}

/** The lease held (from the last FAA, draft §5.1). */
export interface ActiveLease {
  /** The FA that granted it. */
  fa: FaTarget;
  /** That FA's HIT. */
  faHit: Uint8Array;
  /** Lease ID (FA_INFO). */
  leaseId: number;
  /** Address family: 4 (shared IPv4 locator with an SPI range) or 6. */
  addrType: AddrType;
  /** The leased locator: an address of our FA logical interface (§6.4). */
  locator: Locator;
  /** First SPI of the leased range (IPv4). */
  spiMin: number;
  /** Last SPI of the leased range (IPv4). */
  spiMax: number;
  /** Absolute expiry (ms). */
  expires: Millis;
}

/** Events of the lease client; `type` names the event, `fa` is the FA's locator. */
export type FaClientEvent =
  | {
      /** Event kind. */
      type: "leased";
      /** The lease now held. */
      lease: ActiveLease;
      /** True for a renewal of the same lease (§5.2). */
      renewed: boolean;
    }
  | {
      /** Event kind. */
      type: "refused";
      /** FAD reason code ({@link FadReason}). */
      reason: number;
      /** Its name. */
      reasonName: string;
      /** The FAD message text. */
      message: string;
      /** The FA's locator. */
      fa: Locator;
    }
  | {
      /** Event kind. */
      type: "released";
      /** The FA's locator. */
      fa: Locator;
    }
  | {
      /** Event kind. */
      type: "challenged";
      /** Puzzle difficulty #K the FA asked (solved, FAQ sent again). */
      k: number;
      /** The FA's locator. */
      fa: Locator;
    }
  | {
      /** Event kind. */
      type: "fa-dead";
      /** The FA's locator. */
      fa: Locator;
      /** The FA tried next (§4.4.2). */
      next: Locator;
    }
  | {
      /** Event kind. */
      type: "fa-moved";
      /** The node we sent through before. */
      fa: Locator;
      /** Fleet: another node of the fleet forwarded to us (ours is down, §13.1): we send through it now. */
      next: Locator;
    }
  /** The FA probed us after a silence (e.g. it restarted with its store): paths through it may work again. */
  | {
      /** Event kind. */
      type: "fa-alive";
      /** The FA's locator. */
      fa: Locator;
    }
  | {
      /** Event kind. */
      type: "lost";
      /** The FA's locator. */
      fa: Locator;
    };

interface Pending {
  fields: FaqFields;
  solution?: SolutionParam;
  tries: number;
  nextAt: Millis;
  interval: Millis;
  /** Fleet silence probe: at most this many tries, then the next node (§13.1 fallback). */
  maxTries?: number;
  /** What the FAQ's signature covers now (changes with a SOLUTION or the FA's HIT). */
  want?: Uint8Array;
  /** The signature made for `signed.data`: retransmissions send it again. */
  signed?: { data: Uint8Array; signature: Uint8Array };
  /** Input being signed by a crypto job (asynchronous providers), if any. */
  signing?: Uint8Array;
  /** The FA's puzzle is being solved (a job): its R1s meanwhile are ignored, no retransmission. */
  solving?: boolean;
}

/** FA client counters (runtime/stats.ts shows them under `fa`). */
export interface FaClientCounters {
  /** Transmits to anyone but an FA withheld under location privacy (§3.2; runtime/privacy.ts). */
  privacyDrops: number;
  /** Datagrams that reached one of our own addresses directly (not via the FA) under privacy. */
  privacyDirect: number;
  /** Base exchanges held until the FAA came (privacy: the I1 leaves from the leased locator). */
  connectsHeld: number;
  /** Holder probes (FA PINGs, src/fa/core/holder.ts) answered with a PONG. */
  probesAnswered: number;
}

/** The lease client: a HIP extension that acquires, renews and releases a lease from a Forwarding Agent (draft §4.4.1, §5.1-§5.2, §6.2) and moves to the next FA when one goes silent (§4.4.2). */
export class FaClient {
  /** Packet types it handles: R1 (the FA's puzzle), FAA, FAD. */
  readonly packetTypes = [PacketType.R1, PacketType.FAA, PacketType.FAD];
  /** The current lease, if any. */
  lease: ActiveLease | undefined;
  /** Location-privacy and probe counters. */
  readonly counters: FaClientCounters = { privacyDrops: 0, privacyDirect: 0, connectsHeld: 0, probesAnswered: 0 };
  private faIndex = 0;
  private requestId: number;
  private pending: Pending | undefined;
  private renewAt: Millis | undefined;
  private lastForwarded: Millis = Number.NEGATIVE_INFINITY;
  private readonly events: FaClientEvent[] = [];
  private releasing = false;
  /** Silence probes since the last relay frame (their interval doubles). */
  private quietProbes = 0;
  /** Lease duration (s) the FA granted last. */
  private grantedSec: number | undefined;
  /** A new lease was refused for a passing reason (store failed, FA full): ask again then. */
  private againAt: Millis | undefined;

  constructor(
    private readonly host: HipHost,
    private readonly o: FaClientOptions,
  ) {
    if (o.fas.length === 0) throw new RangeError("FaClient needs at least one FA");
    checkClientOptions(o);
    this.o = { ...o, fas: [...o.fas] };
    const r = host.rng.fill(new Uint8Array(2));
    this.requestId = (r[0] << 8) | r[1];
  }

  /** The FA currently used. */
  get fa(): FaTarget {
    return this.o.fas[this.faIndex];
  }

  /** True while a first FAQ (no lease held yet) waits for its answer. */
  get leasing(): boolean {
    return this.pending !== undefined && this.pending.fields.leaseId === 0 && !this.lease;
  }

  /** True when location privacy (§3.2) is on. */
  get privacy(): boolean {
    return this.o.privacy === true;
  }

  /** Send the first FAQ (§5.1). */
  start(now: Millis): void {
    this.request(now, 0, this.o.lifetime ?? 0);
  }

  /** Abandon the lease with a zero-lifetime FAQ (§4.4.1). */
  release(now: Millis): void {
    if (!this.lease) return;
    this.releasing = true;
    this.request(now, this.lease.leaseId, 0);
  }

  /** The runtime saw traffic forwarded by the FA (a relay frame): the FA is alive. */
  noteForwarded(now: Millis): void {
    this.lastForwarded = now;
    this.quietProbes = 0;
  }

  /** The local locator we talk to the FA from (undefined: the runtime picks). */
  get from(): Locator | undefined {
    return this.o.from;
  }

  /**
   * We moved: talk to the FA from `from` and renew at once, so the FA forwards to our new
   * locator (a renewal moves forwarding, draft §4.4.1; host mobility behind the FA).
   */
  setFrom(now: Millis, from: Locator): void {
    if (this.o.from && sameLocator(this.o.from, from)) return;
    this.o.from = from;
    if (this.lease && !this.releasing && this.pending?.fields.leaseId !== 0) this.request(now, this.lease.leaseId, this.renewLifetime());
  }

  /**
   * The transport to the FA was replaced (a tunnel reopened, runtime/tunnel-resume.ts): renew at
   * once so the FA forwards into the new tunnel; an FA that lost the lease answers UNKNOWN_LEASE
   * and a new one is asked for (§4.4.2). `fa`: now another FA: ask it for a new lease (the old
   * lease stays announced until the new one replaces it).
   */
  resume(now: Millis, fa?: FaTarget): void {
    if (fa && !sameLocator(fa.locator, this.fa.locator)) {
      this.o.fas.splice(0, this.o.fas.length, fa, ...this.o.fas.filter((x) => !sameLocator(x.locator, fa.locator)));
      this.faIndex = 0;
      this.lease = undefined;
      this.renewAt = undefined;
    }
    this.releasing = false;
    this.againAt = undefined;
    if (this.lease) this.request(now, this.lease.leaseId, this.renewLifetime());
    else this.request(now, 0, this.o.lifetime ?? 0);
  }

  /** True when `l` is our leased locator (Transmits from it go through the FA). */
  isLeased(l: Locator | undefined): boolean {
    return l !== undefined && this.lease !== undefined && sameLocator(l, this.lease.locator);
  }

  /** Addresses to announce in REAs (§6.4); with privacy (§3.2) only the leased one. */
  announced(own: readonly Locator[]): Locator[] {
    const leased = this.lease ? [this.lease.locator] : [];
    return this.privacy ? leased : [...leased, ...own.filter((l) => !this.isLeased(l))];
  }

  /** A Transmit from our leased locator goes to the FA inside a relay frame (§4.4: packets
   *  the host sends through the FA leave from the leased locator). Others pass unchanged. */
  wrap(t: Transmit): Transmit {
    const l = this.lease;
    if (!l || !t.from || !sameLocator(t.from, l.locator)) return t;
    const data = wrapRelay(l.locator, t.to, t.data);
    return this.o.from ? { to: l.fa.locator, from: this.o.from, data } : { to: l.fa.locator, data };
  }

  /** A relay frame from the FA → the datagram as received at our leased locator. */
  unwrap(now: Millis, data: Uint8Array, from: Locator):
    | {
        /** The inner datagram. */
        data: Uint8Array;
        /** Its source (the peer). */
        from: Locator;
        /** Its destination (our leased locator). */
        to: Locator;
      }
    | undefined {
    const moved = !sameLocator(from, this.fa.locator);
    if (moved && !this.o.fleet) return undefined;
    const f = unwrapRelay(data);
    if (!f?.src || !f.dst) return undefined;
    if (moved && !this.follow(from, f.dst)) return undefined;
    this.lastForwarded = now;
    this.quietProbes = 0;
    return { data: f.payload, from: f.src, to: f.dst };
  }

  /**
   * Fleet (docs/PROTOCOL.md §13.1): a relay frame for our leased locator from another node of
   * our fleet means that node took us over (ours died): send through it from now on, at once
   * (no FAQ, same lease). False when `from` is no node of ours or `dst` is not our lease.
   */
  private follow(from: Locator, dst: Locator): boolean {
    const i = this.o.fas.findIndex((f) => sameLocator(f.locator, from));
    if (i < 0 || !this.lease || !sameLocator(dst, this.lease.locator)) return false;
    const old = this.fa.locator;
    this.faIndex = i;
    this.lease = { ...this.lease, fa: this.fa };
    this.events.push({ type: "fa-moved", fa: old, next: from });
    return true;
  }

  /** The next lease event, if any. */
  pollEvent(): FaClientEvent | undefined {
    return this.events.shift();
  }

  /**
   * A holder probe (FA PING, src/fa/core/holder-probe.ts) from our current FA: the FA is alive
   * (liveness both ways) and gets a PONG with the same nonce from the locator we lease from.
   * Undefined when `data` is no PING from the current FA.
   */
  answerProbe(now: Millis, data: Uint8Array, from: Locator): Transmit | undefined {
    if (probeType(data) !== TunnelFrameType.PING || !sameLocator(from, this.fa.locator)) return undefined;
    if (now - this.lastForwarded >= FA_QUIET_MS) this.events.push({ type: "fa-alive", fa: from });
    this.noteForwarded(now);
    this.counters.probesAnswered++;
    const pong = emitProbe(TunnelFrameType.PONG, data.subarray(8));
    return this.o.from ? { to: from, from: this.o.from, data: pong } : { to: from, data: pong };
  }

  /** Location privacy (§3.2): only datagrams to one of our FAs may leave (FAQs, relay frames, PONGs). */
  allows(to: Locator): boolean {
    return this.o.fas.some((f) => sameLocator(f.locator, to));
  }

  /** Is `from` one of our FAs' locators? */
  isFa(from: Locator): boolean {
    return this.allows(from);
  }

  // ---- HipExtension --------------------------------------------------------------------

  /** Handle an R1, FAA or FAD from an FA; true when consumed. */
  handle(now: Millis, pkt: HipPacket, raw: Uint8Array, from: Locator): boolean {
    if (!this.pending) return false;
    const fa = this.fa;
    if (!sameLocator(from, fa.locator) && !(fa.hit && equalBytes(pkt.senderHit, fa.hit))) return false;
    if (fa.hit && !equalBytes(pkt.senderHit, fa.hit)) return false;
    const p = parseFaPacket(raw, false);
    if (!p.ok) return false;
    const v = p.value;
    const pend = this.pending;
    // Cheap checks first: an answer to the FAQ in flight (§8.1); then its signature, inline or
    // as a crypto job (asynchronous providers: a browser or Worker does not block on @noble).
    if (pkt.packetType !== PacketType.R1 && v.info!.requestId !== pend.fields.requestId) return false;
    const sig = faSignatureInput(v);
    if (!sig) return false;
    let handled = true;
    const ok = this.host.crypto.verifyThen(now, v.peer, sig.data, sig.signature, (now, valid) => {
      // Inline, a bad signature falls through to the host (as any packet no extension takes).
      if (!valid) handled = this.host.crypto.deferred ? this.host.drop("bad_signature", pkt, from) : false;
      else if (this.pending !== pend) handled = false; // answered or replaced while a job checked it
      else handled = pkt.packetType === PacketType.R1 ? this.onR1(now, v.puzzle!, v.senderHit) : this.answered(now, pkt, v, pend);
    });
    return ok ? handled : this.host.drop("crypto_busy", pkt, from);
  }

  /** An FAA or FAD for the FAQ in flight, signature verified. */
  private answered(now: Millis, pkt: HipPacket, v: SignedFaPacket, pend: Pending): boolean {
    const fa = this.fa;
    const info = v.info!;
    this.pending = undefined;
    if (pkt.packetType === PacketType.FAD) {
      const reason = v.notifyType ?? 0;
      if (this.releasing && pend.fields.lifetime === 0 && reason === FadReason.UNKNOWN_LEASE) {
        // Our release met an FA that no longer holds the lease (it restarted without state):
        // what the release asked for is done; no renewal, no new lease.
        this.lease = undefined;
        this.releasing = false;
        this.renewAt = undefined;
        this.events.push({ type: "released", fa: fa.locator });
        return true;
      }
      this.events.push({ type: "refused", reason, reasonName: fadReasonName(reason), message: v.notifyText ?? "", fa: fa.locator });
      if (reason === FadReason.UNKNOWN_LEASE && pend.fields.leaseId !== 0 && !this.releasing) {
        // The FA lost our lease (restart without state, §4.4.2): ask for a new one.
        this.lease = undefined;
        this.request(now, 0, this.o.lifetime ?? 0);
      } else if (pend.fields.leaseId !== 0) {
        this.scheduleRenewal(now);
      } else if (PASSING.has(reason) && !this.lease) {
        // Issue 9: the FA's store failed or it is full: the next FA at once, or this one later.
        if (this.o.fas.length > 1) this.faIndex = (this.faIndex + 1) % this.o.fas.length;
        this.againAt = now + (this.o.retryMs ?? 1000) * (this.o.fas.length > 1 ? 1 : 16);
      }
      return true;
    }
    if (pend.fields.lifetime === 0 && pend.fields.leaseId !== 0) {
      this.lease = undefined;
      this.releasing = false;
      this.renewAt = undefined;
      this.events.push({ type: "released", fa: fa.locator });
      return true;
    }
    const a = info.address;
    if (a.addrType === 0) return true;
    this.lease = {
      fa,
      faHit: v.senderHit,
      leaseId: info.leaseId,
      addrType: a.addrType,
      locator: { ip: a.ip, port: info.port },
      spiMin: a.addrType === 4 ? a.minSpi : 0,
      spiMax: a.addrType === 4 ? a.maxSpi : 0,
      expires: now + info.leaseDuration * 1000,
    };
    this.grantedSec = info.leaseDuration;
    this.scheduleRenewal(now);
    if (this.o.silenceMs !== undefined) this.lastForwarded = Math.max(this.lastForwarded, now);
    this.events.push({ type: "leased", lease: this.lease, renewed: pend.fields.leaseId !== 0 });
    return true;
  }

  /** Retransmit FAQs, renew, and notice expiry and silence at `now` (ms). */
  handleTimeout(now: Millis): void {
    const p = this.pending;
    if (p && p.nextAt <= now) {
      if (p.tries >= (p.maxTries ?? this.o.tries ?? 4)) {
        this.pending = undefined;
        this.failover(now);
      } else {
        p.tries++;
        p.interval *= 2;
        p.nextAt = now + p.interval;
        this.sendFaq(now, p);
      }
    }
    // Expired even while its renewal is still being retried (the FA is unreachable): lost now, and
    // a new-lease request replaces the renewal. (Waiting for the retries left the expiry as a
    // deadline in the past: pollTimeout returned it until the next retry, a busy timer loop.)
    if (this.lease && this.lease.expires <= now) {
      this.events.push({ type: "lost", fa: this.lease.fa.locator });
      this.lease = undefined;
      this.request(now, 0, this.o.lifetime ?? 0);
    }
    const quietAt = this.quietAt();
    if (quietAt !== undefined && quietAt <= now && !this.pending && this.lease) {
      this.lastForwarded = now; // one probe per silence period, backing off while idle
      this.quietProbes = Math.min(this.quietProbes + 1, 6);
      this.request(now, this.lease.leaseId, this.renewLifetime());
      const p = this.pending as Pending | undefined;
      if (p && this.o.fleet && this.o.fas.length > 1) {
        // Fleet (docs/PROTOCOL.md §13.1): the fallback when no node took us over (a NAT in front
        // of us drops their frames; we only send): two tries a silence period apart, then the
        // next node with the same lease.
        p.interval = Math.min(p.interval, this.o.silenceMs ?? p.interval);
        p.nextAt = now + p.interval;
        p.maxTries = 2;
      }
    }
    if (this.againAt !== undefined && this.againAt <= now) {
      this.againAt = undefined;
      if (!this.pending && !this.lease) this.request(now, 0, this.o.lifetime ?? 0);
    }
    if (this.renewAt !== undefined && this.renewAt <= now && !this.pending && this.lease) {
      this.renewAt = undefined;
      this.request(now, this.lease.leaseId, this.renewLifetime());
    }
  }

  /** The next FAQ retransmission, renewal or silence check (ms), if any. */
  pollTimeout(): Millis | undefined {
    let t = this.pending?.nextAt;
    const min = (x: Millis | undefined) => {
      if (x !== undefined && (t === undefined || x < t)) t = x;
    };
    min(this.renewAt);
    min(this.againAt);
    min(this.lease?.expires);
    if (!this.pending) min(this.quietAt());
    return t;
  }

  /** A renewal names a lifetime: 0 would release the lease (§4.4.1). */
  private renewLifetime(): number {
    return this.o.lifetime ?? this.grantedSec ?? 600;
  }

  private quietAt(): Millis | undefined {
    const s = this.o.silenceMs;
    return s !== undefined && this.lease && Number.isFinite(this.lastForwarded) ? this.lastForwarded + s * 2 ** this.quietProbes : undefined;
  }

  // ---- internals ------------------------------------------------------------------------

  private firstRequest = true;

  /** The next Request ID: +1, or the wall clock's when that is newer (FaClientOptions.wallOffsetMs). */
  private nextRequestId(now: Millis): number {
    const next = (this.requestId + 1) & 0xffff;
    const first = this.firstRequest;
    this.firstRequest = false;
    if (this.o.wallOffsetMs === undefined) return next;
    const w = wallClockRequestId(now + this.o.wallOffsetMs);
    return first || ((w - next) & 0xffff) < 0x8000 ? w : next;
  }

  private request(now: Millis, leaseId: number, lifetime: number): void {
    this.requestId = this.nextRequestId(now);
    const fields: FaqFields = { requestId: this.requestId, leaseId, lifetime, addrType: this.o.addrType ?? 0, spis: this.o.spis ?? 0 };
    const interval = this.o.retryMs ?? 1000;
    this.pending = { fields, tries: 1, interval, nextAt: now + interval };
    this.sendFaq(now, this.pending);
  }

  /** (Re)send the FAQ of `p`. Its signature is made once per content, inline or by a crypto
   *  job (then the FAQ leaves when the job is done); retransmissions reuse it. */
  private sendFaq(now: Millis, p: Pending): void {
    const fa = this.fa;
    const id = this.host.identity;
    const pkt = unsignedFaq(id, this.lease?.faHit ?? fa.hit ?? new Uint8Array(16), p.fields, p.solution);
    const data = emitPacketPrefix(pkt, pkt.params.length);
    const send = (now: Millis, signature: Uint8Array) => this.host.send(now, withFaqSignature(pkt, id.algorithm, signature), fa.locator, this.o.from);
    p.want = data;
    if (p.signed && equalBytes(p.signed.data, data)) return void send(now, p.signed.signature);
    if (p.signing && equalBytes(p.signing, data)) return; // sent when its job is done
    p.signing = data;
    this.host.crypto.signThen(now, id, data, (now, signature) => {
      if (p.signing === data) p.signing = undefined;
      p.signed = { data, signature };
      // Answered, replaced or changed (a SOLUTION) while a job signed it: not this one.
      if (this.pending === p && p.want === data) send(now, signature);
    });
  }

  /**
   * §5.1: the FA answered with a puzzle; solve it and send the FAQ again with SOLUTION. The FA
   * chose #K (up to `maxK`): the search is a job a runtime spreads over event-loop turns
   * (crypto-jobs.ts "puzzle"), given up after the PUZZLE Lifetime or once this FAQ is answered.
   */
  private onR1(now: Millis, pz: { k: number; lifetime: number; opaque: number; randomI: Uint8Array }, faHit: Uint8Array): boolean {
    const p = this.pending!;
    if (pz.k > (this.o.maxK ?? 24) || p.solving) return true;
    this.events.push({ type: "challenged", k: pz.k, fa: this.fa.locator });
    const start = this.host.rng.fill(new Uint8Array(pz.randomI.length));
    const budgetMs = Math.min(60_000, Math.max(1000, puzzleLifetimeMs(pz.lifetime)));
    const job = { op: "puzzle" as const, rhash: (m: Uint8Array) => sha384(m), randomI: pz.randomI, hitI: this.host.identity.hit, hitR: faHit, k: pz.k, start, budgetMs, wanted: () => this.pending === p };
    // The FA answered: no FAQ retransmission while we solve (one try more once the budget is spent).
    p.solving = true;
    p.nextAt = now + budgetMs;
    const ok = this.host.crypto.request(now, job, (now, j) => {
      p.solving = false;
      if (!j || this.pending !== p) return;
      p.solution = { kind: "SOLUTION", k: pz.k, opaque: pz.opaque, randomI: pz.randomI, solutionJ: j };
      if (!this.fa.hit) this.o.fas[this.faIndex] = { ...this.fa, hit: faHit };
      p.nextAt = now + p.interval;
      this.sendFaq(now, p);
    });
    if (!ok) {
      p.solving = false; // refused (crypto jobs at their limit): the next R1 tries again
      p.nextAt = now + p.interval;
    }
    return true;
  }

  private scheduleRenewal(now: Millis): void {
    if (!this.lease) return;
    this.renewAt = now + (this.lease.expires - now) * (this.o.renewAt ?? 0.5);
  }

  /** No answer from the FA (§4.4.2). During a renewal with recent forwarded traffic, keep the
   *  lease and retry later; otherwise the FA is a black hole: lease from the next FA. */
  private failover(now: Millis): void {
    const alive = this.lease && now - this.lastForwarded < (this.o.retryMs ?? 1000) * 4 && this.o.silenceMs === undefined;
    if (alive) {
      this.scheduleRenewal(now);
      return;
    }
    const dead = this.fa.locator;
    this.faIndex = (this.faIndex + 1) % this.o.fas.length;
    if (this.o.fleet && this.lease && this.o.fas.length > 1) {
      this.lease = { ...this.lease, fa: this.fa };
      this.events.push({ type: "fa-dead", fa: dead, next: this.fa.locator });
      this.request(now, this.lease.leaseId, this.renewLifetime());
      return;
    }
    this.lease = undefined;
    this.renewAt = undefined;
    this.events.push({ type: "fa-dead", fa: dead, next: this.fa.locator });
    this.request(now, 0, this.o.lifetime ?? 0);
  }
}
