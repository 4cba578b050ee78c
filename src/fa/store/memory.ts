// MemoryLeaseStore: a LeaseStore (src/fa/core/store.ts) kept in this process only (tests, the
// Deno FA, `hipmm fa` without --store). It is also a LeaseCache, so the agent can take it as
// its index directly. Allocation is atomic trivially (one process, one event loop).
import type { Millis } from "../../core/types.ts";
import { LeaseCache } from "../core/cache.ts";
import { leaseCopy } from "../core/jobs.ts";
import { type Lease, SPI_BLOCK_SHIFT } from "../core/lease.ts";
import type { LeaseStore } from "../core/store.ts";

/** A lease store kept in this process only (tests, the Deno FA, `hipmm fa` without --store); also the agent's in-memory index. */
export class MemoryLeaseStore extends LeaseCache implements LeaseStore {
  private seq = 0;

  /** The change counter: every create, renewal and removal takes the next value (docs/PROTOCOL.md §13.2). */
  get version(): number {
    return this.seq;
  }

  async load(now: Millis): Promise<Lease[]> {
    return this.unexpired(now).map(leaseCopy);
  }

  /** Sync form of create (SQLite uses it for its index). */
  claim(lease: Lease): "ok" | "conflict" {
    this.removeExpired(lease.created);
    if (this.get(lease.hit, lease.leaseId)) return "conflict";
    if (lease.addrType === 4) {
      for (let b = lease.spiMin >>> SPI_BLOCK_SHIFT; b <= lease.spiMax >>> SPI_BLOCK_SHIFT; b++) if (this.bySpi((b << SPI_BLOCK_SHIFT) >>> 0)) return "conflict";
    } else if (this.byLocator(lease.locator)) return "conflict";
    lease.version = ++this.seq;
    this.put(leaseCopy(lease));
    return "ok";
  }

  async create(lease: Lease): Promise<"ok" | "conflict"> {
    return this.claim(lease);
  }

  /** Sync form of renew: the stored expiry never goes down (§4.4.1). */
  renewNow(lease: Lease): Lease | undefined {
    const cur = this.get(lease.hit, lease.leaseId);
    if (!cur) return undefined;
    const next: Lease = { ...cur, expires: Math.max(cur.expires, lease.expires), host: { ...lease.host }, tunnel: lease.tunnel, requestId: lease.requestId, node: lease.node, version: ++this.seq };
    lease.version = next.version;
    this.put(next);
    return next;
  }

  async renew(lease: Lease): Promise<Millis | undefined> {
    return this.renewNow(lease)?.expires;
  }

  async release(hit: string, leaseId: number): Promise<void> {
    if (this.delete(hit, leaseId)) this.seq++;
  }

  async expire(hit: string, leaseId: number, now: Millis): Promise<boolean> {
    const cur = this.get(hit, leaseId);
    if (!cur || cur.expires > now) return false;
    this.delete(hit, leaseId);
    this.seq++;
    return true;
  }
}
