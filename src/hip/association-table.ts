// The association table of HipHost (host.ts): associations by peer HIT, opportunistic I1s by
// peer locator (RFC 7401 §4.1.8) and every inbound SPI, with SPI allocation (RFC 4303 §2.1;
// per-interface SAs, draft §4.5).
import { locatorKey, type Locator, type Millis, type Rng } from "../core/types.ts";
import { Association, type AssociationHost } from "./association.ts";
import { hitKey } from "./hit.ts";
import type { HostIdentity } from "./identity.ts";
import { type HipLimits, resolveLimits } from "./limits.ts";
import type { HipEvent, HipHostConfig } from "./types.ts";

/** Association table and SPI allocation; packet dispatch is HipHost. */
export abstract class AssociationTable {
  /** Our host identity. */
  readonly identity: HostIdentity;
  /** Randomness (SPIs, puzzles, DH keys). */
  readonly rng: Rng;
  protected readonly assocs = new Map<string, Association>();
  /** Opportunistic I1s (NULL receiver HIT) by peer locator until the R1 names the peer (§4.1.8). */
  protected readonly opportunistic = new Map<string, Association>();
  protected readonly bySpi = new Map<number, Association>();
  /** Registered associations in I1-SENT, I2-SENT or R2-SENT (`track`): what limits.maxHalfOpen
   * counts, kept as states change so that no limit check walks the whole table. */
  private readonly halfOpenSet = new Set<Association>();
  /** Registered associations in CLOSED, oldest first (insertion order): they only linger to
   * re-acknowledge a duplicate CLOSE (RFC 7401 §4.4.3), so a full table evicts them first. */
  private readonly closedSet = new Set<Association>();
  /** The SPIs reserved for each association (removal without scanning `bySpi`). */
  private readonly spisOf = new WeakMap<Association, number[]>();
  protected abstract readonly assocHost: AssociationHost;
  private readonly spiSource: HipHostConfig["spiSource"];
  /** State limits (limits.ts; HipHostConfig.limits over HIP_LIMITS). */
  readonly limits: HipLimits;

  constructor(cfg: HipHostConfig) {
    this.identity = cfg.identity;
    this.rng = cfg.rng;
    this.spiSource = cfg.spiSource;
    this.limits = resolveLimits(cfg.limits);
  }

  abstract event(ev: HipEvent): void;
  abstract count(name: string): void;

  /** Exchanges not yet ESTABLISHED (limits.maxHalfOpen). */
  halfOpen(): number {
    return this.halfOpenSet.size + this.opportunistic.size;
  }

  /** Keep `a` in the half-open set while it is registered by its HIT and in I1-SENT, I2-SENT or
   * R2-SENT (called on every state change and registration). */
  protected track(a: Association): void {
    const st = a.state;
    const registered = this.assocs.get(hitKey(a.peerHit)) === a;
    if ((st === "I1-SENT" || st === "I2-SENT" || st === "R2-SENT") && registered) this.halfOpenSet.add(a);
    else this.halfOpenSet.delete(a);
    if (st === "CLOSED" && registered) this.closedSet.add(a);
    else this.closedSet.delete(a);
  }

  /** The association that has been CLOSED longest, if any. */
  private oldestClosed(): Association | undefined {
    for (const a of this.closedSet) return a;
    return undefined;
  }

  /** The oldest R2-SENT association (by last packet received): a pass over the half-open set,
   * which the limits bound (maxHalfOpen), not over every association. */
  private oldestR2Sent(): Association | undefined {
    let best: Association | undefined;
    for (const a of this.halfOpenSet) if (a.state === "R2-SENT" && (!best || (a.lastRxAt ?? 0) < (best.lastRxAt ?? 0))) best = a;
    return best;
  }

  /** Associations held, opportunistic I1s included (limits.maxAssociations). */
  get size(): number {
    return this.assocs.size + this.opportunistic.size;
  }

  /** The limit one more association would exceed (limits.maxAssociations / maxHalfOpen), if any. */
  private overLimit(): "limit_associations" | "limit_half_open" | undefined {
    const l = this.limits;
    if (this.size >= l.maxAssociations) return "limit_associations";
    return this.halfOpen() >= l.maxHalfOpen ? "limit_half_open" : undefined;
  }

  /**
   * Whether one more association fits, counting what `makeRoom` would evict (the oldest CLOSED
   * association against maxAssociations, the oldest R2-SENT one against either limit) as free.
   * No state changes; undefined = room.
   */
  noRoom(): "limit_associations" | "limit_half_open" | undefined {
    const l = this.limits;
    const r2Sent = this.oldestR2Sent() !== undefined;
    if (this.size >= l.maxAssociations && !r2Sent && this.closedSet.size === 0) return "limit_associations";
    // Evicting a CLOSED association frees no half-open slot.
    return this.halfOpen() >= l.maxHalfOpen && !r2Sent ? "limit_half_open" : undefined;
  }

  /**
   * While a new association would exceed a limit, evict: against maxAssociations the oldest
   * CLOSED association first (`evict.closed`; a peer that repeats its CLOSE then gets no
   * CLOSE_ACK and gives up after its retransmissions, RFC 7401 §6.14), else the oldest R2-SENT
   * one (`evict.half_open`). Without the first, a server whose peers close faster than
   * maxAssociations per closedLingerMs (1024 per 15 s by default) refused every new peer.
   */
  protected makeRoom(): void {
    for (let over = this.overLimit(); over !== undefined; over = this.overLimit()) {
      const closed = over === "limit_associations" ? this.oldestClosed() : undefined;
      if (closed) {
        this.count("evict.closed");
        this.removeAssociation(closed);
        continue;
      }
      const oldest = this.oldestR2Sent();
      if (!oldest) return;
      this.count("evict.half_open");
      this.adopt(0, oldest, undefined, true);
    }
  }

  /** Free an inbound SPI reserved with allocSpi (a retired per-interface SA, draft §6.1.1.1). */
  releaseSpi(spi: number): void {
    const a = this.bySpi.get(spi);
    if (a && a.spiIn !== spi) {
      this.bySpi.delete(spi);
      const l = this.spisOf.get(a);
      if (l) l.splice(l.indexOf(spi) >>> 0, 1);
    }
  }

  /** The association with `peerHit`, if any. */
  association(peerHit: Uint8Array): Association | undefined {
    return this.assocs.get(hitKey(peerHit));
  }

  /** Every association. */
  associations(): Iterable<Association> {
    return this.assocs.values();
  }

  /** The association that owns inbound SPI `spi`, if any. */
  associationBySpi(spi: number): Association | undefined {
    return this.bySpi.get(spi);
  }

  // ---- HostCore (used by the handlers; not for applications) ----------------------------

  /** Create and register an association (core handlers; not for applications). */
  createAssociation(peerHit: Uint8Array, peer: Locator): Association {
    const a = new Association(this.assocHost, this.identity, peerHit.slice(), peer);
    this.register(a);
    return a;
  }

  /** Create an unregistered association (core handlers; not for applications). */
  createScratch(peerHit: Uint8Array, peer: Locator): Association {
    return new Association(this.assocHost, this.identity, peerHit.slice(), peer);
  }

  /** Register `n`, replacing `old` (core handlers; not for applications). */
  adopt(now: Millis, n: Association, old: Association | undefined, evictOnly = false): Association {
    if (evictOnly) old = n;
    if (old) {
      if (old.spiIn !== 0 && old.spiOut !== 0 && (old.state === "ESTABLISHED" || old.state === "R2-SENT"))
        this.event({ type: "sa-remove", peerHit: old.peerHit, inboundSpi: old.spiIn, outboundSpi: old.spiOut });
      this.removeAssociation(old);
      if (evictOnly) {
        this.event({ type: "failed", peerHit: old.peerHit, reason: "evicted" });
        return n;
      }
    } else this.makeRoom();
    n.lastRxAt = now;
    this.register(n);
    return n;
  }

  /** `a` is still registered (not removed nor replaced): crypto-job continuations check it. */
  isLive(a: Association): boolean {
    return this.assocs.get(hitKey(a.peerHit)) === a || (a.opportunistic && this.opportunistic.get(locatorKey(a.peerLocator)) === a);
  }

  /** Remove an association and its SPIs; its KEYMAT is zero-filled. */
  removeAssociation(a: Association): void {
    if (a.opportunistic) this.opportunistic.delete(locatorKey(a.peerLocator));
    if (this.assocs.get(hitKey(a.peerHit)) === a) this.assocs.delete(hitKey(a.peerHit));
    this.halfOpenSet.delete(a);
    this.closedSet.delete(a);
    for (const spi of this.spisOf.get(a) ?? []) if (this.bySpi.get(spi) === a) this.bySpi.delete(spi);
    this.spisOf.delete(a);
    a.keymat?.destroy(); // issue 9 item 8: PRK and expanded KEYMAT zero-filled with the association
  }

  /** Re-key `a` under the peer HIT named by an opportunistic R1 (core handlers; not for applications). */
  rekey(a: Association, peerHit: Uint8Array): void {
    this.opportunistic.delete(locatorKey(a.peerLocator));
    a.opportunistic = false;
    a.peerHit = peerHit.slice();
    const old = this.association(peerHit);
    if (old && old !== a) this.adopt(0, a, old);
    else this.register(a);
  }

  /** `a` becomes the association of its peer HIT (replacing whatever was registered under it). */
  private register(a: Association): void {
    const key = hitKey(a.peerHit);
    const prev = this.assocs.get(key);
    if (prev && prev !== a) {
      this.halfOpenSet.delete(prev);
      this.closedSet.delete(prev);
    }
    this.assocs.set(key, a);
    this.track(a);
  }

  /**
   * Reserve a new inbound SPI for `a`: `preferred` if free, else from `cfg.spiSource` if it
   * offers a free one, else random (SPIs < 256 are reserved, RFC 4303 §2.1).
   */
  allocSpi(a: Association, preferred?: number): number {
    for (const want of [preferred, preferred === undefined ? this.spiSource?.(a) : undefined]) {
      if (want !== undefined && want >= 256 && want <= 0xffffffff && !this.bySpi.has(want >>> 0)) {
        this.reserve(want >>> 0, a);
        return want >>> 0;
      }
    }
    const b = new Uint8Array(4);
    for (;;) {
      this.rng.fill(b);
      const spi = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
      if (spi >= 256 && !this.bySpi.has(spi)) {
        this.reserve(spi, a);
        return spi;
      }
    }
  }

  private reserve(spi: number, a: Association): void {
    this.bySpi.set(spi, a);
    const l = this.spisOf.get(a);
    if (l) l.push(spi);
    else this.spisOf.set(a, [spi]);
  }
}
