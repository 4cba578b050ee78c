// RTT estimation from AC/ACR exchanges (§6.1.2.1 "RTT timestamp") and REA/AC round trips,
// smoothed as in RFC 6298 §2; 16-bit REA/AC ID serial arithmetic (RFC 1982).
import type { Millis } from "../core/types.ts";

export class RttEstimator {
  srtt: Millis | undefined;
  rttvar: Millis = 0;
  latest: Millis | undefined;

  constructor(
    readonly initialRto: Millis,
    readonly minRto: Millis,
    readonly maxRto: Millis,
  ) {}

  sample(rtt: Millis): void {
    this.latest = rtt;
    if (this.srtt === undefined) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rtt);
    this.srtt = 0.875 * this.srtt + 0.125 * rtt;
  }

  /** Retransmission timeout for the given attempt (0 = first), doubling, bounded (§6.4 backoff). */
  rto(attempt = 0): Millis {
    const base = this.srtt === undefined ? this.initialRto : Math.max(this.minRto, this.srtt + 4 * this.rttvar);
    return Math.min(this.maxRto, base * 2 ** attempt);
  }
}

/** RTT timestamp field: our clock in whole ms modulo 2^32 (§6.1.2.1). */
export function timestamp32(now: Millis): number {
  return Math.floor(now) >>> 0;
}

/** Elapsed ms since a 32-bit timestamp (wrap-safe). */
export function since32(now: Millis, ts: number): number {
  return (timestamp32(now) - ts) >>> 0;
}

/** a > b in 16-bit serial number arithmetic (RFC 1982). */
export function serial16Gt(a: number, b: number): boolean {
  const d = (a - b) & 0xffff;
  return d !== 0 && d < 0x8000;
}

/** Next REA ID; 0 is reserved for "the base exchange locators" (docs/PROTOCOL.md §8). */
export function nextReaId(id: number): number {
  const n = (id + 1) & 0xffff;
  return n === 0 ? 1 : n;
}
