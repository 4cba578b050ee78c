// Lease rules (draft §4.4.1, §5.1, §5.2, §6.3): access control by HIT, allocation of a shared
// IPv4 locator + SPI range or a dedicated IPv6 locator, renewal that never shortens a lease,
// release by zero lifetime, and expiry that discards all state. Sans-I/O: time is passed in.
import type { Locator, Millis, Rng } from "../../core/types.ts";
import { type AddrType, type Lease, SPI_BLOCK } from "../store/lease.ts";
import type { LeaseStore } from "../store/store.ts";
import { LocatorPool, SpiAllocator } from "./alloc.ts";
import type { FaConfig } from "./config.ts";
import { HostIndex } from "./host-index.ts";
import { FadReason } from "./reasons.ts";

export interface LeaseRequest {
  hit: string;
  /** FA_INFO Request ID (matches the FAA/FAD to this FAQ). */
  requestId: number;
  /** FA_INFO Lease ID: 0 asks for a new lease, otherwise renews/releases that lease. */
  leaseId: number;
  /** 0 = either (§5.1 "IPv4, IPv6, either"). */
  addrType: 0 | AddrType;
  /** SPIs wanted (addr type 4); 0 = the FA's default. */
  spis: number;
  /** Seconds; 0 = default for a new lease, release for an existing one (§4.4.1). */
  lifetime: number;
  /** Where the FAQ came from: forwarded packets go there. */
  host: Locator;
  tunnel: boolean;
}

export type LeaseOutcome =
  | { kind: "granted"; lease: Lease; renewed: boolean }
  | { kind: "released"; lease: Lease }
  | { kind: "refused"; reason: FadReason; message: string }
  /** An older Request ID for an existing lease (a replay): no answer. */
  | { kind: "stale" };

export class LeaseManager {
  readonly hosts = new HostIndex();
  private readonly spis: SpiAllocator;
  private readonly pool6: LocatorPool;

  constructor(
    readonly config: FaConfig,
    readonly store: LeaseStore,
    private readonly rng: Rng,
  ) {
    this.spis = new SpiAllocator(config.spiFirst, config.spiLast, store, rng);
    this.pool6 = new LocatorPool(config.pool6, store, rng);
    for (const l of store.unexpired(Number.NEGATIVE_INFINITY)) {
      if (l.addrType === 4) this.spis.noteUsed((l.spiMax - l.spiMin + 1) / SPI_BLOCK);
      this.hosts.add(l);
    }
  }

  /** Access control (§4.4.1): deny wins; a non-empty allow list admits only its HITs. */
  admits(hit: string): boolean {
    if (this.config.deny.has(hit)) return false;
    return this.config.allow.size === 0 || this.config.allow.has(hit);
  }

  /** Hosts on the allow list are trusted: no puzzle in "on" mode (§5.1). */
  trusts(hit: string): boolean {
    return this.config.allow.has(hit);
  }

  handle(now: Millis, req: LeaseRequest): LeaseOutcome {
    if (!this.admits(req.hit)) return refused(FadReason.DENIED, "HIT not admitted by access control");
    if (req.leaseId === 0) return this.create(now, req);
    const lease = this.store.get(req.hit, req.leaseId);
    if (!lease || lease.expires <= now) return refused(FadReason.UNKNOWN_LEASE, `no lease ${req.leaseId} for this HIT`);
    if (req.addrType !== 0 && req.addrType !== lease.addrType) return refused(FadReason.MALFORMED, "renewal names another address type");
    const age = (req.requestId - lease.requestId) & 0xffff;
    if (age === 0) return { kind: "granted", lease, renewed: true }; // a retransmitted FAQ: answer again
    if (age >= 0x8000) return { kind: "stale" };
    if (req.lifetime === 0) {
      this.drop(lease);
      return { kind: "released", lease };
    }
    // §4.4.1: the FA may extend, but must not make the lease expire before it was due to.
    const wanted = now + this.grantSeconds(req.lifetime) * 1000;
    if (wanted > lease.expires) lease.expires = wanted;
    lease.requestId = req.requestId;
    if (lease.tunnel !== req.tunnel || lease.host.ip !== req.host.ip || lease.host.port !== req.host.port) {
      this.hosts.remove(lease);
      lease.host = req.host; // the host moved: forward to its new locator (§4.4)
      lease.tunnel = req.tunnel;
      this.hosts.add(lease);
    }
    this.store.put(lease);
    return { kind: "granted", lease, renewed: true };
  }

  /** Discard every lease whose time is up (§4.4.1) and free what it held. */
  expire(now: Millis): Lease[] {
    const gone = this.store.removeExpired(now);
    for (const l of gone) this.free(l);
    return gone;
  }

  nextExpiry(): Millis | undefined {
    return this.store.nextExpiry();
  }

  private create(now: Millis, req: LeaseRequest): LeaseOutcome {
    const held = this.store.byHit(req.hit);
    const same = held.find((l) => l.requestId === req.requestId && l.created + 60_000 > now);
    if (same) return { kind: "granted", lease: same, renewed: false }; // retransmitted FAQ
    if (held.length >= this.config.leasesPerHit) return refused(FadReason.TOO_MANY_LEASES, `at most ${this.config.leasesPerHit} leases per HIT`);
    let type: AddrType;
    if (req.addrType === 4 || req.addrType === 6) type = req.addrType;
    else type = this.config.shared4.length > 0 && this.spis.free > 0 ? 4 : 6;
    let locator: Locator | undefined;
    let spiMin = 0;
    let spiMax = 0;
    if (type === 4) {
      if (this.config.shared4.length === 0) return refused(FadReason.NO_ADDRESSES, "no shared IPv4 locator configured");
      const want = Math.min(req.spis || this.config.spisDefault, this.config.spisMax);
      const range = this.spis.allocate(SpiAllocator.blocksFor(want));
      if (!range) return refused(FadReason.NO_SPIS, "SPI space exhausted");
      [spiMin, spiMax] = range;
      locator = this.config.shared4[(spiMin >>> 4) % this.config.shared4.length];
    } else {
      locator = this.pool6.allocate();
      if (!locator) return refused(FadReason.NO_ADDRESSES, "no dedicated IPv6 locator free");
    }
    const expires = now + this.grantSeconds(req.lifetime) * 1000;
    const lease: Lease = {
      hit: req.hit,
      leaseId: this.nextLeaseId(held),
      addrType: type,
      locator,
      spiMin,
      spiMax,
      expires,
      firstExpiry: expires,
      host: req.host,
      tunnel: req.tunnel,
      requestId: req.requestId,
      created: now,
    };
    this.store.put(lease);
    this.hosts.add(lease);
    return { kind: "granted", lease, renewed: false };
  }

  private grantSeconds(lifetime: number): number {
    return Math.max(1, Math.min(lifetime || this.config.leaseDefault, this.config.leaseMax));
  }

  private nextLeaseId(held: readonly Lease[]): number {
    const r = this.rng.fill(new Uint8Array(2));
    for (let id = ((r[0] << 8) | r[1]) % 0xffff, n = 0; n < 0xffff; n++, id = (id + 1) % 0xffff) {
      if (!held.some((l) => l.leaseId === id + 1)) return id + 1;
    }
    return 1;
  }

  private drop(l: Lease): void {
    this.store.delete(l.hit, l.leaseId);
    this.free(l);
  }

  private free(l: Lease): void {
    this.hosts.remove(l);
    if (l.addrType === 4) this.spis.release(l.spiMin, l.spiMax);
    else this.pool6.release(l.locator);
  }
}

function refused(reason: FadReason, message: string): LeaseOutcome {
  return { kind: "refused", reason, message };
}
