// Lease rules (draft §4.4.1, §5.1, §5.2, §6.3): access control by HIT, allocation of a shared
// IPv4 locator + SPI range or a dedicated IPv6 locator, renewal that never shortens a lease,
// release by zero lifetime, and expiry that discards all state. Sans-I/O: time is passed in.
import type { Locator, Millis, Rng } from "../../core/types.ts";
import { type AddrType, type Lease, SPI_BLOCK } from "./lease.ts";
import type { LeaseIndex } from "./lease-index.ts";
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
  /** The sender's IP address (a tunnel's peer address): leases are capped per source. */
  source?: string;
}

export type LeaseOutcome =
  /** `prev`: a renewal's values before it (to undo when the durable write fails). */
  | { kind: "granted"; lease: Lease; renewed: boolean; prev?: LeaseMutable; fresh?: boolean }
  | { kind: "released"; lease: Lease }
  | { kind: "refused"; reason: FadReason; message: string }
  /** An older Request ID for an existing lease (a replay): no answer. */
  | { kind: "stale" };

/** The fields a renewal, a move or a holder change may alter. */
export type LeaseMutable = Pick<Lease, "expires" | "requestId" | "host" | "tunnel" | "node">;

export function mutableOf(l: Lease): LeaseMutable {
  return { expires: l.expires, requestId: l.requestId, host: l.host, tunnel: l.tunnel, node: l.node };
}

export class LeaseManager {
  readonly hosts = new HostIndex();
  /** Store writes that threw (the FAQ got FAD STORE_FAILED); the last error's text. */
  storeErrors = 0;
  lastStoreError = "";
  private readonly perSource = new Map<string, number>();
  private readonly sourceOf = new WeakMap<Lease, string>();
  private readonly spis: SpiAllocator;
  private readonly pool6: LocatorPool;

  constructor(
    readonly config: FaConfig,
    readonly store: LeaseIndex,
    private readonly rng: Rng,
  ) {
    this.spis = new SpiAllocator(config.spiFirst, config.spiLast, store, rng);
    this.pool6 = new LocatorPool(config.pool6, store, rng);
    for (const l of store.unexpired(Number.NEGATIVE_INFINITY)) this.account(l);
  }

  private account(l: Lease): void {
    if (l.addrType === 4) this.spis.noteUsed((l.spiMax - l.spiMin + 1) / SPI_BLOCK);
    else this.pool6.take(l.locator);
    this.hosts.add(l);
    this.countSource(l, l.host.ip);
  }

  /** Take a lease into the cache (loaded from a durable store, made by another fleet node, or
   *  restored after a failed release). */
  adopt(l: Lease): void {
    if (this.store.get(l.hit, l.leaseId)) return;
    this.store.put(l);
    this.account(l);
  }

  /** Drop a lease from the cache and free what it held (released elsewhere, or a failed create). */
  drop(l: Lease): void {
    if (this.store.get(l.hit, l.leaseId) !== l) return;
    this.store.delete(l.hit, l.leaseId);
    this.free(l);
  }

  /** Set a lease's mutable fields (another node's renewal, or undoing ours). */
  update(l: Lease, m: LeaseMutable): void {
    const moved = l.tunnel !== m.tunnel || l.host.ip !== m.host.ip || l.host.port !== m.host.port;
    const old = l.host;
    Object.assign(l, m);
    this.store.put(l);
    if (moved) {
      this.hosts.remove(l, old);
      this.hosts.add(l);
    }
  }

  /** Leases created from `ip` and still held. */
  fromSource(ip: string): number {
    return this.perSource.get(ip) ?? 0;
  }

  private countSource(l: Lease, ip: string): void {
    this.sourceOf.set(l, ip);
    this.perSource.set(ip, (this.perSource.get(ip) ?? 0) + 1);
  }

  private uncountSource(l: Lease): void {
    const ip = this.sourceOf.get(l);
    if (ip === undefined) return;
    this.sourceOf.delete(l);
    const n = (this.perSource.get(ip) ?? 1) - 1;
    if (n > 0) this.perSource.set(ip, n);
    else this.perSource.delete(ip);
  }

  /** A store write; false (counted, FAD STORE_FAILED) when it throws (issue 9 item 7). */
  private write(f: () => void): boolean {
    try {
      f();
      return true;
    } catch (e) {
      this.storeErrors++;
      this.lastStoreError = e instanceof Error ? e.message : String(e);
      return false;
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
    // A retransmitted FAQ is answered again, but only toward the lease's own host locator: the same
    // signed FAQ replayed from another (spoofed) source gets nothing (issue 9 item 3: no freshly
    // signed FAA reflected at a victim). A host that moved sends a new Request ID.
    if (age === 0) return sameHost(lease, req) ? { kind: "granted", lease, renewed: true } : { kind: "stale" };
    if (age >= 0x8000) return { kind: "stale" };
    if (req.lifetime === 0) {
      if (!this.write(() => this.store.delete(lease.hit, lease.leaseId))) return storeFailed();
      this.free(lease);
      return { kind: "released", lease };
    }
    // §4.4.1: the FA may extend, but must not make the lease expire before it was due to.
    const wanted = now + this.grantSeconds(req.lifetime) * 1000;
    const old = mutableOf(lease);
    const moved = lease.tunnel !== req.tunnel || lease.host.ip !== req.host.ip || lease.host.port !== req.host.port;
    if (wanted > lease.expires) lease.expires = wanted;
    lease.requestId = req.requestId;
    if (moved) {
      lease.host = req.host; // the host moved: forward to its new locator (§4.4)
      lease.tunnel = req.tunnel;
    }
    if (!this.write(() => this.store.put(lease))) {
      Object.assign(lease, old); // nothing changed: the lease keeps forwarding as before
      return storeFailed();
    }
    if (moved) {
      this.hosts.remove(lease, old.host);
      this.hosts.add(lease);
    }
    return { kind: "granted", lease, renewed: true, prev: old };
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
    if (same) return sameHost(same, req) ? { kind: "granted", lease: same, renewed: false } : { kind: "stale" }; // retransmitted FAQ; replay from elsewhere: no answer
    // A new-lease FAQ older than a lease this HIT already renewed is a replay, not a new request.
    if (held.some((l) => ((req.requestId - l.requestId) & 0xffff) >= 0x8000)) return { kind: "stale" };
    if (held.length >= this.config.leasesPerHit) return refused(FadReason.TOO_MANY_LEASES, `at most ${this.config.leasesPerHit} leases per HIT`);
    if (this.store.size >= this.config.maxLeases) return refused(FadReason.FA_FULL, "the FA holds its maximum number of leases");
    const source = req.source ?? req.host.ip;
    if (this.fromSource(source) >= this.config.leasesPerSource) return refused(FadReason.TOO_MANY_FROM_SOURCE, `at most ${this.config.leasesPerSource} leases per source address`);
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
    if (!this.write(() => this.store.put(lease))) {
      if (type === 4) this.spis.release(spiMin, spiMax);
      else this.pool6.release(locator);
      return storeFailed();
    }
    this.hosts.add(lease);
    this.countSource(lease, source);
    return { kind: "granted", lease, renewed: false, fresh: true };
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

  private free(l: Lease): void {
    this.hosts.remove(l);
    this.uncountSource(l);
    if (l.addrType === 4) this.spis.release(l.spiMin, l.spiMax);
    else this.pool6.release(l.locator);
  }
}

export function storeFailed(): LeaseOutcome {
  return refused(FadReason.STORE_FAILED, "lease store unavailable, try again later");
}

function refused(reason: FadReason, message: string): LeaseOutcome {
  return { kind: "refused", reason, message };
}

/** Does the request come from the host locator (or tunnel) the lease was granted to? */
function sameHost(lease: Lease, req: LeaseRequest): boolean {
  return lease.host.ip === req.host.ip && lease.host.port === req.host.port;
}
