// Flooding protection for unverified addresses (§4.3, §8): an REA may name a victim's address,
// so toward an address that has not answered an AC we send only AC probes, at most
// `maxProbes` and `maxBytes` per address in any `windowMs`, and never data (§6.5).
import type { Locator, Millis } from "../core/types.ts";
import { locatorKey } from "../core/types.ts";

export interface ProbeBudgetOptions {
  maxProbes: number;
  maxBytes: number;
  windowMs: Millis;
}

interface Entry {
  start: Millis;
  probes: number;
  bytes: number;
}

export class ProbeBudget {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly o: ProbeBudgetOptions) {}

  /** Charges one probe of `bytes` to `to` if the budget allows it; false = suppressed. */
  charge(to: Locator, bytes: number, now: Millis): boolean {
    const k = locatorKey(to);
    let e = this.entries.get(k);
    if (!e || now - e.start >= this.o.windowMs) {
      e = { start: now, probes: 0, bytes: 0 };
      this.entries.set(k, e);
    }
    if (e.probes + 1 > this.o.maxProbes || e.bytes + bytes > this.o.maxBytes) return false;
    e.probes++;
    e.bytes += bytes;
    return true;
  }

  /** Probes and bytes spent on `to` in its current window. */
  spent(to: Locator): { probes: number; bytes: number } {
    const e = this.entries.get(locatorKey(to));
    return e ? { probes: e.probes, bytes: e.bytes } : { probes: 0, bytes: 0 };
  }

  /** A verified address no longer needs a budget. */
  clear(to: Locator): void {
    this.entries.delete(locatorKey(to));
  }
}
