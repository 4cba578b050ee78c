// Flooding protection for unverified addresses (§4.3, §8): an REA may name a victim's address,
// so toward an address that has not answered an AC we send only AC probes, at most
// `maxProbes` and `maxBytes` per IP address (any port: a victim has one IP and many ports) in
// any `windowMs`, and never data (§6.5). Optionally a `global` cap over all addresses and a
// `parent` budget (the host-wide one shared by every association, limits.probePerIp /
// probeGlobal) that must allow the probe too. Entries are bounded (`maxEntries`, least
// recently used evicted).
import type { Locator, Millis } from "../core/types.ts";

export interface ProbeBudgetOptions {
  maxProbes: number;
  maxBytes: number;
  windowMs: Millis;
  /** Per-address entries kept (default 1024); the least recently used is evicted. */
  maxEntries?: number;
  /** All addresses together, per window. */
  global?: { maxProbes: number; maxBytes: number };
}

interface Entry {
  start: Millis;
  probes: number;
  bytes: number;
}

export class ProbeBudget {
  private readonly entries = new Map<string, Entry>();
  private globalEntry: Entry = { start: Number.NEGATIVE_INFINITY, probes: 0, bytes: 0 };
  /** Probes refused because the budget was spent. */
  refused = 0;

  constructor(
    readonly o: ProbeBudgetOptions,
    private readonly parent?: ProbeBudget,
  ) {}

  /** Entries held (bounded by maxEntries). */
  get size(): number {
    return this.entries.size;
  }

  /** Charges one probe of `bytes` to `to`'s IP if this budget (and the parent) allow it; false = suppressed. */
  charge(to: Locator, bytes: number, now: Millis): boolean {
    if (!this.allows(to, bytes, now) || (this.parent && !this.parent.allows(to, bytes, now))) {
      this.refused++;
      return false;
    }
    this.commit(to, bytes, now);
    this.parent?.commit(to, bytes, now);
    return true;
  }

  /** Probes and bytes spent on `to`'s IP in its current window. */
  spent(to: Locator): { probes: number; bytes: number } {
    const e = this.entries.get(to.ip);
    return e ? { probes: e.probes, bytes: e.bytes } : { probes: 0, bytes: 0 };
  }

  /** A verified address no longer needs a budget. */
  clear(to: Locator): void {
    this.entries.delete(to.ip);
  }

  private entry(ip: string, now: Millis): Entry {
    let e = this.entries.get(ip);
    if (e) this.entries.delete(ip);
    if (!e || now - e.start >= this.o.windowMs) e = { start: now, probes: 0, bytes: 0 };
    while (this.entries.size >= Math.max(1, this.o.maxEntries ?? 1024)) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(ip, e); // most recently used last
    return e;
  }

  private allows(to: Locator, bytes: number, now: Millis): boolean {
    const e = this.entry(to.ip, now);
    if (e.probes + 1 > this.o.maxProbes || e.bytes + bytes > this.o.maxBytes) return false;
    const g = this.o.global;
    if (!g) return true;
    if (now - this.globalEntry.start >= this.o.windowMs) this.globalEntry = { start: now, probes: 0, bytes: 0 };
    return this.globalEntry.probes + 1 <= g.maxProbes && this.globalEntry.bytes + bytes <= g.maxBytes;
  }

  private commit(to: Locator, bytes: number, now: Millis): void {
    const e = this.entry(to.ip, now);
    e.probes++;
    e.bytes += bytes;
    this.globalEntry.probes++;
    this.globalEntry.bytes += bytes;
  }
}
