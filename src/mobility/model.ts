// The host → logical interface → addresses model (draft §4.1, Figure 1), once for our own
// host (LocalModel) and once per association for the peer (PeerModel). An address belongs
// to one interface only (§4.1); a known interface ID replaces its addresses, a new one adds
// (§6.1.1.1); an address left out of an REA is lost (§6.4) — we keep it "deprecated" for a
// short grace period so traffic is not cut before a replacement is verified (make-before-break).
import type { Locator, Millis } from "../core/types.ts";
import { isUnspecified, locatorKey, sameLocator } from "../core/types.ts";
import type { LogicalInterface, MmAddress, ReaAddress, ReaInfo } from "./types.ts";

/** REA_INFO Address Lifetime value meaning "no expiry" (all ones). */
export const LIFETIME_INFINITE = 0xffffffff;

export function familyOf(l: Locator): 4 | 6 {
  return l.ip.includes(":") ? 6 : 4;
}

export interface AddAddressOptions {
  lifetimeSec?: number;
  preference?: number;
  preferred?: boolean;
}

/** Our own interfaces and addresses; shared by every association of the host. */
export class LocalModel {
  readonly interfaces = new Map<number, LogicalInterface & { preference: number }>();
  /** Bumped on every change of any interface. */
  generation = 0;

  /** Creates (or returns) an interface; `preference` ranks interfaces (fast > slow, §3.3). */
  addInterface(id: number, preference = 0): LogicalInterface & { preference: number } {
    let itf = this.interfaces.get(id);
    if (!itf) {
      itf = { id, up: true, addresses: [], version: 0, preference };
      this.interfaces.set(id, itf);
      this.touch(itf);
    }
    return itf;
  }

  setPreference(id: number, preference: number): void {
    const itf = this.addInterface(id);
    itf.preference = preference;
    this.touch(itf);
  }

  /**
   * A hidden interface is neither announced nor used for HIP/ESP paths (location privacy,
   * draft §3.2: with a Forwarding Agent only the leased address is shown to peers).
   */
  setHidden(id: number, hidden: boolean): void {
    const itf = this.addInterface(id);
    if (itf.hidden === hidden) return;
    itf.hidden = hidden;
    this.touch(itf);
  }

  /** Marks an interface changed so the next REA carries it again (e.g. its SA changed, §4.5). */
  bump(id: number): void {
    const itf = this.interfaces.get(id);
    if (itf) this.touch(itf);
  }

  setUp(id: number, up: boolean): void {
    const itf = this.addInterface(id);
    if (itf.up === up) return;
    itf.up = up;
    this.touch(itf);
  }

  /** Adds an address; one address belongs to one interface only (§4.1): it moves if needed. */
  addAddress(id: number, locator: Locator, now: Millis, o: AddAddressOptions = {}): MmAddress {
    const owner = this.interfaceOf(locator);
    if (owner && owner.id !== id) this.removeAddress(locator);
    const itf = this.addInterface(id);
    const life = o.lifetimeSec ?? LIFETIME_INFINITE;
    const existing = itf.addresses.find((a) => sameLocator(a.locator, locator));
    const addr: MmAddress = existing ?? { locator, status: "active", expiresAt: 0, preference: 0, preferred: false };
    addr.status = "active";
    addr.expiresAt = life === LIFETIME_INFINITE ? Number.POSITIVE_INFINITY : now + life * 1000;
    addr.preference = o.preference ?? addr.preference;
    addr.preferred = o.preferred ?? addr.preferred;
    if (!existing) itf.addresses.push(addr);
    this.touch(itf);
    return addr;
  }

  removeAddress(locator: Locator): boolean {
    const itf = this.interfaceOf(locator);
    if (!itf) return false;
    itf.addresses = itf.addresses.filter((a) => !sameLocator(a.locator, locator));
    this.touch(itf);
    return true;
  }

  /** Renumbering (§3.6): the interface's address set is replaced wholesale. */
  setAddresses(id: number, locators: readonly Locator[], now: Millis, o: AddAddressOptions = {}): void {
    const itf = this.addInterface(id);
    for (const a of [...itf.addresses]) if (!locators.some((l) => sameLocator(l, a.locator))) this.removeAddress(a.locator);
    for (const l of locators) this.addAddress(id, l, now, o);
    this.touch(itf);
  }

  /** Keeps the address usable but announces it as not preferred (make-before-break). */
  deprecate(locator: Locator): void {
    const itf = this.interfaceOf(locator);
    const a = itf?.addresses.find((x) => sameLocator(x.locator, locator));
    if (!itf || !a || a.status === "deprecated") return;
    a.status = "deprecated";
    a.preferred = false;
    this.touch(itf);
  }

  /** Drops expired addresses; returns true if anything changed. */
  expire(now: Millis): boolean {
    let changed = false;
    for (const itf of this.interfaces.values()) {
      const keep = itf.addresses.filter((a) => a.expiresAt > now);
      if (keep.length !== itf.addresses.length) {
        itf.addresses = keep;
        this.touch(itf);
        changed = true;
      }
    }
    return changed;
  }

  nextExpiry(): Millis | undefined {
    let t: number | undefined;
    for (const itf of this.interfaces.values()) for (const a of itf.addresses) if (Number.isFinite(a.expiresAt) && (t === undefined || a.expiresAt < t)) t = a.expiresAt;
    return t;
  }

  interfaceOf(locator: Locator): (LogicalInterface & { preference: number }) | undefined {
    for (const itf of this.interfaces.values()) if (itf.addresses.some((a) => sameLocator(a.locator, locator))) return itf;
    return undefined;
  }

  /** True if the locator is one of our addresses on an interface that is up. */
  owns(locator: Locator): boolean {
    const itf = this.interfaceOf(locator);
    return itf?.up === true && !itf.hidden;
  }

  /** Usable source addresses, best first: interface preference, then active over deprecated. */
  usable(family?: 4 | 6): { ifId: number; addr: MmAddress; rank: number }[] {
    const out: { ifId: number; addr: MmAddress; rank: number }[] = [];
    for (const itf of this.interfaces.values()) {
      if (!itf.up || itf.hidden) continue;
      for (const a of itf.addresses) {
        if (family !== undefined && familyOf(a.locator) !== family) continue;
        const rank = itf.preference * 1000 + a.preference * 10 + (a.status === "active" ? 5 : 0) + (a.preferred ? 1 : 0);
        out.push({ ifId: itf.id, addr: a, rank });
      }
    }
    return out.sort((x, y) => y.rank - x.rank);
  }

  /** The REA_INFO address list for one interface (§6.4: all addresses of that interface). */
  reaAddresses(id: number, now: Millis): ReaAddress[] {
    const itf = this.interfaces.get(id);
    if (!itf?.up || itf.hidden) return [];
    // The preferred flag marks the addresses of our best interface (§3.3) or those set explicitly.
    let best = Number.NEGATIVE_INFINITY;
    for (const x of this.interfaces.values()) if (x.up && !x.hidden && x.addresses.some((a) => a.status === "active")) best = Math.max(best, x.preference);
    // A wildcard a socket is bound to (0.0.0.0, ::) is no address to reach us at (RFC 4291
    // §2.5.2, RFC 1122 §3.2.1.3): announced, the peer's ACs went to its own host.
    return itf.addresses.filter((a) => !isUnspecified(a.locator.ip)).map((a) => ({
      locator: a.locator,
      lifetime: Number.isFinite(a.expiresAt) ? Math.max(0, Math.ceil((a.expiresAt - now) / 1000)) : LIFETIME_INFINITE,
      preferred: a.status === "active" && (a.preferred || itf.preference === best),
    }));
  }

  private touch(itf: LogicalInterface): void {
    itf.version++;
    this.generation++;
  }
}

/** Pseudo interface ID for the peer address learnt in the base exchange. */
export const BASE_EXCHANGE_INTERFACE = -1;

export interface PeerInterface {
  readonly id: number;
  addresses: MmAddress[];
  /** The peer's inbound SPI on this interface (REA_INFO "New SPI", §4.5). */
  spi: number;
  /** KEYMAT index of that SA (REA_INFO "Keymaterial index"; 0 = the base-exchange SA). */
  keymatIndex: number;
}

export interface ReaApplyResult {
  added: MmAddress[];
  lost: MmAddress[];
  listed: MmAddress[];
}

/** The peer's interfaces and addresses as learnt from its REAs (per association). */
export class PeerModel {
  readonly interfaces = new Map<number, PeerInterface>();
  private firstRea = true;

  /** `onlyFrom`: the base exchange ran on our FA interface (MmAddress.onlyFrom). */
  constructor(baseExchange: Locator | undefined, spi: number, now: Millis, onlyFrom?: number) {
    if (baseExchange)
      this.interfaces.set(BASE_EXCHANGE_INTERFACE, {
        id: BASE_EXCHANGE_INTERFACE,
        spi,
        keymatIndex: 0,
        addresses: [{ locator: baseExchange, status: "active", expiresAt: Number.POSITIVE_INFINITY, preference: 0, preferred: true, verifiedAt: now, ...(onlyFrom === undefined ? {} : { onlyFrom }) }],
      });
  }

  /**
   * Applies one REA_INFO (§6.1.1.1): a new interface ID adds an interface; a known one has its
   * addresses replaced; addresses left out become deprecated until `now + graceMs` (§6.4).
   * The first REA also retires the base-exchange pseudo interface (docs/PROTOCOL.md §8).
   */
  apply(info: ReaInfo, now: Millis, graceMs: Millis, trusted: boolean): ReaApplyResult {
    const res: ReaApplyResult = { added: [], lost: [], listed: [] };
    if (this.firstRea) {
      this.firstRea = false;
      const bx = this.interfaces.get(BASE_EXCHANGE_INTERFACE);
      if (bx) for (const a of bx.addresses) this.deprecateInto(a, now, graceMs, res);
    }
    let itf = this.interfaces.get(info.interfaceId);
    if (!itf) {
      itf = { id: info.interfaceId, addresses: [], spi: info.newSpi, keymatIndex: info.keymatIndex };
      this.interfaces.set(info.interfaceId, itf);
    }
    itf.spi = info.newSpi;
    itf.keymatIndex = info.keymatIndex;
    const next: MmAddress[] = [];
    for (const ra of info.addresses) {
      const prev = this.take(ra.locator);
      const isNew = !prev || prev.verifiedAt === undefined;
      const addr: MmAddress = prev ?? { locator: ra.locator, status: "unverified", expiresAt: 0, preference: 0, preferred: false };
      if (trusted && addr.verifiedAt === undefined) addr.verifiedAt = now;
      if (addr.status !== "active") addr.status = addr.verifiedAt !== undefined ? "active" : "unverified";
      addr.expiresAt = ra.lifetime === LIFETIME_INFINITE ? Number.POSITIVE_INFINITY : now + ra.lifetime * 1000;
      addr.preferred = ra.preferred;
      addr.preference = ra.preferred ? 1 : 0;
      if (isNew) res.added.push(addr);
      res.listed.push(addr);
      next.push(addr);
    }
    for (const a of itf.addresses) if (!next.includes(a)) this.deprecateInto(a, now, graceMs, res);
    // Deprecated addresses stay in their interface's list until their grace ends.
    itf.addresses = [...next, ...itf.addresses.filter((a) => a.status === "deprecated" && !next.includes(a))];
    res.lost = res.lost.filter((a) => !res.listed.includes(a));
    return res;
  }

  /**
   * A source seen on authenticated traffic but never announced (a NAT's new mapping): added
   * unverified to the interface holding `like` (same SA), until an address check verifies it.
   */
  observe(locator: Locator, like: Locator, onlyFrom?: number): MmAddress | undefined {
    const near = this.find(like);
    if (!near || this.find(locator)) return undefined;
    const addr: MmAddress = { locator, status: "unverified", expiresAt: Number.POSITIVE_INFINITY, preference: 0, preferred: false, ...(onlyFrom === undefined ? {} : { onlyFrom }) };
    near.itf.addresses.push(addr);
    return addr;
  }

  /** The address record of `locator`, if known (no allocation: the per-packet checks use it). */
  findAddr(locator: Locator): MmAddress | undefined {
    for (const itf of this.interfaces.values()) {
      const as = itf.addresses;
      for (let i = 0; i < as.length; i++) if (sameLocator(as[i].locator, locator)) return as[i];
    }
    return undefined;
  }

  /** The interface holding `locator`, if known (no allocation: the per-packet route uses it). */
  interfaceOf(locator: Locator): PeerInterface | undefined {
    for (const itf of this.interfaces.values()) {
      const as = itf.addresses;
      for (let i = 0; i < as.length; i++) if (sameLocator(as[i].locator, locator)) return itf;
    }
    return undefined;
  }

  find(locator: Locator): { itf: PeerInterface; addr: MmAddress } | undefined {
    for (const itf of this.interfaces.values()) {
      const addr = itf.addresses.find((a) => sameLocator(a.locator, locator));
      if (addr) return { itf, addr };
    }
    return undefined;
  }

  all(): { itf: PeerInterface; addr: MmAddress }[] {
    const out: { itf: PeerInterface; addr: MmAddress }[] = [];
    for (const itf of this.interfaces.values()) for (const addr of itf.addresses) out.push({ itf, addr });
    return out;
  }

  /** Removes addresses whose lifetime (or deprecation grace) ended; returns them. */
  expire(now: Millis): MmAddress[] {
    const gone: MmAddress[] = [];
    for (const itf of this.interfaces.values()) {
      itf.addresses = itf.addresses.filter((a) => {
        if (a.expiresAt > now) return true;
        gone.push(a);
        return false;
      });
    }
    return gone;
  }

  nextExpiry(): Millis | undefined {
    let t: number | undefined;
    for (const { addr } of this.all()) if (Number.isFinite(addr.expiresAt) && (t === undefined || addr.expiresAt < t)) t = addr.expiresAt;
    return t;
  }

  keys(): string[] {
    return this.all().map(({ addr }) => `${locatorKey(addr.locator)}:${addr.status}`);
  }

  private deprecateInto(a: MmAddress, now: Millis, graceMs: Millis, res: ReaApplyResult): void {
    if (a.status === "deprecated") return;
    // A never-verified address is dropped at once; a verified one lingers for the grace period.
    a.expiresAt = a.verifiedAt === undefined ? now : Math.min(a.expiresAt, now + graceMs);
    a.status = "deprecated";
    a.preferred = false;
    res.lost.push(a);
  }

  /** Removes the address from whatever interface holds it (§4.1: one interface only). */
  private take(locator: Locator): MmAddress | undefined {
    for (const itf of this.interfaces.values()) {
      const i = itf.addresses.findIndex((a) => sameLocator(a.locator, locator));
      if (i >= 0) return itf.addresses.splice(i, 1)[0];
    }
    return undefined;
  }
}
