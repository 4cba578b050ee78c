// The FA's in-memory lease index (sans-I/O core): three Maps (by HIT key, by SPI block, by
// dedicated locator) and a lazy min-heap of expiry times. The forwarding path reads it
// synchronously; durable stores (src/fa/store: SQLite, Redis) sit behind it, written through
// by store jobs (agent.ts, docs/ARCHITECTURE.md "FA lease store").
import { locatorKey, type Locator, type Millis } from "../../core/types.ts";
import { hitEquals, hitKeyBytes, hitKeyHex, type Lease, SPI_BLOCK, SPI_BLOCK_SHIFT } from "./lease.ts";
import type { LeaseIndex } from "./lease-index.ts";

export class LeaseCache implements LeaseIndex {
  // HIT (48-bit key of its hash part) → lease, or several when a host holds several leases
  // or two HITs share the key; the full HIT is compared on lookup.
  private readonly hits = new Map<number, Lease | Lease[]>();
  private readonly spis = new Map<number, Lease>();
  private readonly locs = new Map<string, Lease>();
  private readonly heapT: number[] = [];
  private readonly heapL: Lease[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  put(lease: Lease): void {
    if (lease.addrType === 4 && ((lease.spiMin & (SPI_BLOCK - 1)) !== 0 || ((lease.spiMax + 1) & (SPI_BLOCK - 1)) !== 0 || lease.spiMax < lease.spiMin)) {
      throw new RangeError("SPI range must be block aligned");
    }
    const old = this.get(lease.hit, lease.leaseId);
    if (old === lease) return; // mutated in place: the heap re-checks `expires` when it pops
    if (old) this.unindex(old);
    const key = hitKeyHex(lease.hit);
    const cur = this.hits.get(key);
    if (cur === undefined) this.hits.set(key, lease);
    else if (Array.isArray(cur)) cur.push(lease);
    else this.hits.set(key, [cur, lease]);
    if (lease.addrType === 4) {
      for (let b = lease.spiMin >>> SPI_BLOCK_SHIFT; b <= lease.spiMax >>> SPI_BLOCK_SHIFT; b++) this.spis.set(b, lease);
    } else {
      this.locs.set(locatorKey(lease.locator), lease);
    }
    this.count++;
    this.push(lease.expires, lease);
  }

  /** The lease (`hit` in hex, `leaseId`), if held. */
  get(hit: string, leaseId: number): Lease | undefined {
    const cur = this.hits.get(hitKeyHex(hit));
    if (cur === undefined) return undefined;
    if (!Array.isArray(cur)) return cur.hit === hit && cur.leaseId === leaseId ? cur : undefined;
    for (const l of cur) if (l.hit === hit && l.leaseId === leaseId) return l;
    return undefined;
  }

  delete(hit: string, leaseId: number): Lease | undefined {
    const l = this.get(hit, leaseId);
    if (l) this.unindex(l);
    return l;
  }

  byHit(hit: string): readonly Lease[] {
    const cur = this.hits.get(hitKeyHex(hit));
    if (cur === undefined) return [];
    if (!Array.isArray(cur)) return cur.hit === hit ? [cur] : [];
    return cur.filter((l) => l.hit === hit);
  }

  byHitBytes(b: Uint8Array, off: number): Lease | undefined {
    const cur = this.hits.get(hitKeyBytes(b, off));
    if (cur === undefined) return undefined;
    if (!Array.isArray(cur)) return hitEquals(b, off, cur.hit) ? cur : undefined;
    for (const l of cur) if (hitEquals(b, off, l.hit)) return l;
    return undefined;
  }

  bySpi(spi: number): Lease | undefined {
    return this.spis.get(spi >>> SPI_BLOCK_SHIFT);
  }

  byLocator(loc: Locator): Lease | undefined {
    return this.locs.get(locatorKey(loc));
  }

  unexpired(now: Millis): Lease[] {
    const out: Lease[] = [];
    for (const v of this.hits.values()) {
      if (Array.isArray(v)) {
        for (const l of v) if (l.expires > now) out.push(l);
      } else if (v.expires > now) out.push(v);
    }
    return out;
  }

  nextExpiry(): Millis | undefined {
    return this.heapT.length ? this.heapT[0] : undefined;
  }

  removeExpired(now: Millis): Lease[] {
    const out: Lease[] = [];
    while (this.heapT.length && this.heapT[0] <= now) {
      const l = this.pop();
      if (this.get(l.hit, l.leaseId) !== l) continue; // replaced or deleted since
      if (l.expires > now) this.push(l.expires, l); // renewed in place
      else {
        this.unindex(l);
        out.push(l);
      }
    }
    return out;
  }

  /** Forget every lease. */
  close(): void {
    this.hits.clear();
    this.spis.clear();
    this.locs.clear();
    this.heapT.length = 0;
    this.heapL.length = 0;
    this.count = 0;
  }

  private unindex(l: Lease): void {
    const key = hitKeyHex(l.hit);
    const cur = this.hits.get(key);
    if (cur === l) this.hits.delete(key);
    else if (Array.isArray(cur)) {
      const i = cur.indexOf(l);
      if (i >= 0) cur.splice(i, 1);
      if (cur.length === 1) this.hits.set(key, cur[0]);
    }
    if (l.addrType === 4) {
      for (let b = l.spiMin >>> SPI_BLOCK_SHIFT; b <= l.spiMax >>> SPI_BLOCK_SHIFT; b++) if (this.spis.get(b) === l) this.spis.delete(b);
    } else {
      const k = locatorKey(l.locator);
      if (this.locs.get(k) === l) this.locs.delete(k);
    }
    this.count--;
  }

  // Binary min-heap on parallel arrays; an entry goes stale when its lease is replaced,
  // deleted or renewed, and is dropped or re-pushed when it reaches the top.
  private push(t: Millis, l: Lease): void {
    const T = this.heapT;
    const L = this.heapL;
    let i = T.length;
    T.push(t);
    L.push(l);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (T[p] <= t) break;
      T[i] = T[p];
      L[i] = L[p];
      i = p;
    }
    T[i] = t;
    L[i] = l;
    // Compact when stale entries dominate (many deletes without expiry).
    if (T.length > 2 * this.count + 1024) this.rebuild();
  }

  private pop(): Lease {
    const T = this.heapT;
    const L = this.heapL;
    const top = L[0];
    const t = T.pop()!;
    const l = L.pop()!;
    const n = T.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && T[c + 1] < T[c]) c++;
        if (T[c] >= t) break;
        T[i] = T[c];
        L[i] = L[c];
        i = c;
      }
      T[i] = t;
      L[i] = l;
    }
    return top;
  }

  private rebuild(): void {
    const live: Lease[] = [];
    for (const v of this.hits.values()) {
      if (Array.isArray(v)) live.push(...v);
      else live.push(v);
    }
    this.heapT.length = 0;
    this.heapL.length = 0;
    for (const l of live) this.push(l.expires, l);
  }
}
