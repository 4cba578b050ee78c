// One HIT format in every log line and stats record: IPv6 text (RFC 7343 ORCHIDv2, 2001:2x::/28),
// as `hipmm host` prints them. The FA core keys leases by hex (src/fa/store/lease.ts); this
// converts at the edge, where lines are written.
import { fromHex } from "../../core/bytes.ts";
import { hitToString } from "../../hip/hit.ts";

/** A HIT given as 32 hex digits (the core's key) in IPv6 text; other strings unchanged. */
export function hitText(hexOrText: string): string {
  const b = /^[0-9a-f]{32}$/i.test(hexOrText) ? fromHex(hexOrText) : undefined;
  return b ? hitToString(b) : hexOrText;
}

/** A copy of `rec` with its `hit` (hex) written as IPv6 text. */
export function withHitText<T extends object>(rec: T): T {
  const r = rec as Record<string, unknown>;
  return typeof r.hit === "string" ? ({ ...r, hit: hitText(r.hit) } as T) : rec;
}
