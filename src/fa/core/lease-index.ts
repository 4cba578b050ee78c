// LeaseIndex: the synchronous lease lookups the forwarding path needs (one Map lookup per
// packet). LeaseCache (cache.ts) is the implementation; durable stores live behind it (store.ts).
import type { Locator, Millis } from "../../core/types.ts";
import type { Lease } from "./lease.ts";

export interface LeaseIndex {
  /** Number of leases held (expired ones included until removeExpired runs). */
  readonly size: number;
  /** Insert or replace the lease keyed by (hit, leaseId).  */
  put(lease: Lease): void;
  get(hit: string, leaseId: number): Lease | undefined;
  /** Remove and return the lease, if any. */
  delete(hit: string, leaseId: number): Lease | undefined;
  /** All leases of one host (hex HIT). */
  byHit(hit: string): readonly Lease[];
  /** First lease whose HIT equals the 16 bytes at `off` (no allocation on the hot path). */
  byHitBytes(b: Uint8Array, off: number): Lease | undefined;
  /** The addr-type-4 lease whose SPI range holds `spi`. */
  bySpi(spi: number): Lease | undefined;
  /** The addr-type-6 lease of a dedicated locator. */
  byLocator(loc: Locator): Lease | undefined;
  /** Leases with expires > now. */
  unexpired(now: Millis): Lease[];
  /** Earliest expiry time held (may be early after renewals; never late). */
  nextExpiry(): Millis | undefined;
  /** Delete every lease with expires <= now and return them (§4.4.1: expiry discards all state). */
  removeExpired(now: Millis): Lease[];
  close(): void;
}
