// Source credit (ours, beyond the draft; opt-in policy `sourceCredit`): QUIC-style path migration
// (RFC 9000 §9.3) under its anti-amplification limit (RFC 9000 §8.1). When an authenticated REA
// (HMAC + signature checked) arrives FROM a peer address that the REA also lists, data may go to
// THAT address before its ACR, but at most `factor` × the bytes received from it (authenticated
// packets only) until the ACR validates it (draft §5.3). Addresses that were only listed get
// nothing but budgeted AC probes (draft §4.3, §6.5, §8). Sans-I/O.
import type { Locator } from "../core/types.ts";
import { locatorKey } from "../core/types.ts";

/**
 * Lower bound of an authenticated ESP datagram's wire size when the data plane does not say:
 * SPI 4 + Sequence Number 4 + Pad Length 1 + Next Header 1 (RFC 4303 §2) + the shortest ICV of
 * the RFC 7402 suites, 12 (HMAC-SHA1-96). Counting less than arrived keeps the limit conservative.
 */
export const ESP_MIN_BYTES = 22;

interface Entry {
  received: number;
  sent: number;
}

export class SourceCredit {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly factor: number) {}

  /** The address sent us an authenticated REA of `bytes` listing itself: credit starts. */
  grant(l: Locator, bytes: number): void {
    const k = locatorKey(l);
    if (!this.entries.has(k)) this.entries.set(k, { received: 0, sent: 0 });
    this.received(l, bytes);
  }

  has(l: Locator): boolean {
    return this.entries.has(locatorKey(l));
  }

  /** Authenticated bytes arrived from `l` (ignored unless it holds credit). */
  received(l: Locator, bytes: number): void {
    if (this.entries.size === 0) return; // per ESP packet: no key string while nothing holds credit
    const e = this.entries.get(locatorKey(l));
    if (e) e.received += bytes;
  }

  /** Bytes that may still be sent to `l` (0 when it has no credit). */
  remaining(l: Locator): number {
    const e = this.entries.get(locatorKey(l));
    return e ? Math.max(0, this.factor * e.received - e.sent) : 0;
  }

  /** Spends `bytes` on `l` if they fit (RFC 9000 §8.1: never more than factor × received). */
  spend(l: Locator, bytes: number): boolean {
    if (this.entries.size === 0) return false;
    const e = this.entries.get(locatorKey(l));
    if (!e) return false;
    if (e.sent + bytes > this.factor * e.received) return false;
    e.sent += bytes;
    return true;
  }

  /** Bytes received from / sent to `l` while it held credit. */
  stats(l: Locator): { received: number; sent: number } | undefined {
    const e = this.entries.get(locatorKey(l));
    return e ? { received: e.received, sent: e.sent } : undefined;
  }

  /** Validated by an ACR (normal rules from now on) or given up. */
  clear(l: Locator): void {
    this.entries.delete(locatorKey(l));
  }
}
