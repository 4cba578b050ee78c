// LOCATOR_SET (RFC 8046 §4, type 193): entries of
//  Traffic Type(1) Locator Type(1) Locator Length(1, 4-byte units) Reserved(7 bits)|P(1)
//  Locator Lifetime(4) Locator(4 × Locator Length).
import { ok, type Result } from "../error.ts";
import { badLength, badValue, put32, u32 } from "./codec.ts";
import { carve } from "../../core/slab.ts";

/** One LOCATOR_SET entry (RFC 8046 §4). */
export interface LocatorEntry {
  /** Traffic Type (0: both, 1: signaling, 2: data). */
  trafficType: number;
  /** Locator Type (`LocatorType`). */
  locatorType: number;
  /** P bit: preferred locator. */
  preferred: boolean;
  /** Locator Lifetime (s). */
  lifetime: number;
  /** Raw locator: 16 bytes for type 0 (IPv6), SPI(4) + IPv6(16) for type 1. */
  locator: Uint8Array;
}

/** LOCATOR_SET (RFC 8046 §4): a list of locators. */
export interface LocatorSetParam {
  /** Parameter name (discriminant). */
  kind: "LOCATOR_SET";
  /** The locators. */
  locators: LocatorEntry[];
}

/** Parse a LOCATOR_SET value (`n` bytes of `b` at `o`; errors at `o`-based offsets). */
export function parseLocatorSet(b: Uint8Array, o: number, n: number): Result<LocatorSetParam> {
  if (n < 8) return badLength("LOCATOR_SET", o, n, "at least 8");
  const locators: LocatorEntry[] = [];
  const end = o + n;
  let p = o;
  while (p < end) {
    if (end - p < 8) return badValue("LOCATOR_SET", p, "entry header truncated");
    const len = b[p + 2] * 4;
    if (p + 8 + len > end) return badValue("LOCATOR_SET", p, "Locator Length runs past the parameter");
    locators.push({ trafficType: b[p], locatorType: b[p + 1], preferred: (b[p + 3] & 1) === 1, lifetime: u32(b, p + 4), locator: carve(b, p + 8, p + 8 + len) });
    p += 8 + len;
  }
  return ok({ kind: "LOCATOR_SET", locators });
}

/** The LOCATOR_SET value bytes. */
export function emitLocatorSet(p: LocatorSetParam): Uint8Array {
  let n = 0;
  for (const l of p.locators) {
    if (l.locator.length % 4 !== 0 || l.locator.length > 1020) throw new RangeError("LOCATOR_SET: locator length must be a multiple of 4, <= 1020");
    n += 8 + l.locator.length;
  }
  const b = new Uint8Array(n);
  let o = 0;
  for (const l of p.locators) {
    b[o] = l.trafficType;
    b[o + 1] = l.locatorType;
    b[o + 2] = l.locator.length / 4;
    b[o + 3] = l.preferred ? 1 : 0;
    put32(b, o + 4, l.lifetime);
    b.set(l.locator, o + 8);
    o += 8 + l.locator.length;
  }
  return b;
}
