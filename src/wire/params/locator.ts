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

/** Parse a LOCATOR_SET value (`v`: the value bytes; `offset`: its position in the packet, for errors). */
export function parseLocatorSet(v: Uint8Array, offset: number): Result<LocatorSetParam> {
  if (v.length < 8) return badLength("LOCATOR_SET", offset, v.length, "at least 8");
  const locators: LocatorEntry[] = [];
  let o = 0;
  while (o < v.length) {
    if (v.length - o < 8) return badValue("LOCATOR_SET", offset + o, "entry header truncated");
    const n = v[o + 2] * 4;
    if (o + 8 + n > v.length) return badValue("LOCATOR_SET", offset + o, "Locator Length runs past the parameter");
    locators.push({ trafficType: v[o], locatorType: v[o + 1], preferred: (v[o + 3] & 1) === 1, lifetime: u32(v, o + 4), locator: carve(v, o + 8, o + 8 + n) });
    o += 8 + n;
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
