// Security associations under mobility (§4.5, §6.1.1.1): one SA shared by interfaces whose
// latencies are similar, an SA per interface when they differ enough that packets would fall
// outside the ESP reordering window; an old inbound SA kept until every lower sequence number
// arrived or a timeout passed; one anti-replay/reorder window per SA (RFC 4303 §3.4.3).
import type { Millis } from "../core/types.ts";

/** RFC 4303 §3.4.3 sliding window (32-bit sequence numbers, window ≤ 1024). */
export class ReplayWindow {
  top = 0;
  private readonly bits: Uint32Array;

  constructor(readonly size = 64) {
    this.bits = new Uint32Array(Math.ceil(size / 32));
  }

  /** Accepts and records `seq` if new and inside the window. */
  accept(seq: number): "ok" | "replay" | "too-old" {
    if (seq === 0) return "too-old";
    if (seq > this.top) {
      const shift = seq - this.top;
      if (shift >= this.size) this.bits.fill(0);
      else for (let i = 0; i < shift; i++) this.clear(this.top + 1 + i);
      this.top = seq;
      this.set(seq);
      return "ok";
    }
    if (this.top - seq >= this.size) return "too-old";
    if (this.has(seq)) return "replay";
    this.set(seq);
    return "ok";
  }

  /** True when every sequence number from `from` up to top has been seen (no holes). */
  complete(from = 1): boolean {
    const lo = Math.max(from, this.top - this.size + 1, 1);
    for (let s = lo; s <= this.top; s++) if (!this.has(s)) return false;
    return true;
  }

  private idx(seq: number): [number, number] {
    const b = seq % this.size;
    return [b >>> 5, 1 << (b & 31)];
  }
  private has(seq: number): boolean {
    const [w, m] = this.idx(seq);
    return (this.bits[w] & m) !== 0;
  }
  private set(seq: number): void {
    const [w, m] = this.idx(seq);
    this.bits[w] |= m;
  }
  private clear(seq: number): void {
    const [w, m] = this.idx(seq);
    this.bits[w] &= ~m;
  }
}

export interface InboundSa {
  spi: number;
  window: ReplayWindow;
  /** Set when a newer SA replaced this one; it is deleted after `retireBy` or once complete. */
  retiredAt?: Millis;
  retireBy?: Millis;
}

/** Our inbound SAs of one association, each with its own window (§4.5). */
export class InboundSaTable {
  readonly sas = new Map<number, InboundSa>();

  constructor(
    readonly windowSize = 64,
    readonly oldSaTimeoutMs: Millis = 2_000,
  ) {}

  add(spi: number): InboundSa {
    let sa = this.sas.get(spi);
    if (!sa) {
      sa = { spi, window: new ReplayWindow(this.windowSize) };
      this.sas.set(spi, sa);
    }
    return sa;
  }

  /** §6.1.1.1: the old SA is not deleted until lower sequence numbers arrived or a timeout. */
  retire(spi: number, now: Millis): void {
    const sa = this.sas.get(spi);
    if (!sa || sa.retiredAt !== undefined) return;
    sa.retiredAt = now;
    sa.retireBy = now + this.oldSaTimeoutMs;
  }

  /** Checks a received sequence number against its SA's own window. */
  accept(spi: number, seq: number, now: Millis): "ok" | "replay" | "too-old" | "unknown-spi" {
    const sa = this.sas.get(spi);
    if (!sa) return "unknown-spi";
    const r = sa.window.accept(seq);
    this.sweep(now);
    return r;
  }

  /** Deletes retired SAs that are complete or past their timeout; returns the deleted SPIs. */
  sweep(now: Millis): number[] {
    const gone: number[] = [];
    for (const sa of this.sas.values()) {
      if (sa.retireBy === undefined) continue;
      if (now >= sa.retireBy || sa.window.complete()) {
        this.sas.delete(sa.spi);
        gone.push(sa.spi);
      }
    }
    return gone;
  }

  nextDeadline(): Millis | undefined {
    let t: number | undefined;
    for (const sa of this.sas.values()) if (sa.retireBy !== undefined && (t === undefined || sa.retireBy < t)) t = sa.retireBy;
    return t;
  }
}

/**
 * §4.5: shared SA when the interfaces' path latencies are within `maxSpreadMs` (their packets
 * stay inside one reordering window), else one SA per interface. Input: interface → one-way
 * latency estimate (ms). Output: interface → group number (same group = same SA).
 */
export function saLayout(latencies: ReadonlyMap<number, Millis>, maxSpreadMs: Millis): Map<number, number> {
  const sorted = [...latencies].sort((a, b) => a[1] - b[1]);
  const out = new Map<number, number>();
  let group = 0;
  let groupStart: number | undefined;
  for (const [id, lat] of sorted) {
    if (groupStart === undefined) groupStart = lat;
    else if (lat - groupStart > maxSpreadMs) {
      group++;
      groupStart = lat;
    }
    out.set(id, group);
  }
  return out;
}

/** Reordering tolerance check behind saLayout: packets at `ratePerMs` over a latency spread fit a window? */
export function fitsWindow(spreadMs: Millis, ratePerMs: number, windowSize: number): boolean {
  return spreadMs * ratePerMs < windowSize;
}
