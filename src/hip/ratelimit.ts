// Token buckets (per source prefix and global) for replies to unauthenticated input: the R1s
// RFC 7401 §4.1.1 lets a Responder withhold under load. Sans-I/O: time is passed in.
import { ipToBytes } from "../core/addr.ts";
import type { Millis } from "../core/types.ts";
import type { RateLimit } from "./limits.ts";

/** A token bucket (`ratePerSec` refill, `burst` capacity); time is passed in. */
export class TokenBucket {
  private tokens: number;
  private last: Millis | undefined;

  constructor(private readonly r: RateLimit) {
    this.tokens = r.burst;
  }

  private refill(now: Millis): void {
    if (this.last !== undefined && now > this.last) this.tokens = Math.min(this.r.burst, this.tokens + ((now - this.last) * this.r.ratePerSec) / 1000);
    if (this.last === undefined || now > this.last) this.last = now;
  }

  /** True (and one token taken) when a token is available at `now`. */
  available(now: Millis): boolean {
    this.refill(now);
    return this.tokens >= 1;
  }

  /** Take one token at `now`; false when none is available. */
  take(now: Millis): boolean {
    if (!this.available(now)) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The source prefix of `ip` (/v4 of IPv4, /v6 of IPv6) as a map key. */
export function prefixKey(ip: string, v4: number, v6: number): string {
  const b = ipToBytes(ip);
  if (!b) return `?${ip}`;
  const v4mapped = !ip.includes(":") || (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff);
  const bits = v4mapped ? 96 + Math.min(32, v4) : Math.min(128, v6);
  const out = b.slice();
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    out[i] &= (0xff00 >> keep) & 0xff;
  }
  return `${Array.from(out, (x) => x.toString(16).padStart(2, "0")).join("")}/${bits}`;
}

export interface PrefixLimiterOptions {
  perPrefix: RateLimit;
  global: RateLimit;
  prefixV4: number;
  prefixV6: number;
  /** Per-prefix buckets kept; the least recently used goes first. */
  maxEntries: number;
}

/** A per-prefix bucket and a global one: a request passes when both have a token. */
export class PrefixLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly global: TokenBucket;
  /** prefixKey per source address seen lately (parsing the address text cost more than the
   * buckets); bounded, emptied when full. */
  private readonly keys = new Map<string, string>();

  constructor(private readonly o: PrefixLimiterOptions) {
    this.global = new TokenBucket(o.global);
  }

  /** Number of per-prefix buckets held (bounded by maxEntries). */
  get size(): number {
    return this.buckets.size;
  }

  /** "prefix" / "global" when refused, undefined when allowed (tokens taken). */
  take(ip: string, now: Millis): "prefix" | "global" | undefined {
    let k = this.keys.get(ip);
    if (k === undefined) {
      k = prefixKey(ip, this.o.prefixV4, this.o.prefixV6);
      if (this.keys.size >= 1024) this.keys.clear();
      this.keys.set(ip, k);
    }
    let b = this.buckets.get(k);
    if (b) this.buckets.delete(k);
    else {
      b = new TokenBucket(this.o.perPrefix);
      while (this.buckets.size >= Math.max(1, this.o.maxEntries)) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(k, b); // most recently used last
    if (!b.available(now)) return "prefix";
    if (!this.global.take(now)) return "global";
    b.take(now);
    return undefined;
  }
}
