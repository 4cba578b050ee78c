// HIP KEYMAT (RFC 7401 §6.5): HKDF (RFC 5869) with RHASH,
//   PRK    = HMAC-RHASH(salt = #I | #J, IKM = Kij)
//   KEYMAT = T(1) | T(2) | ...,  T(n) = HMAC-RHASH(PRK, T(n-1) | info | n),  info = sort(HIT-I | HIT-R)
// Keys are drawn sequentially (§6.5): HIP-gl enc, HIP-gl integrity, HIP-lg enc, HIP-lg integrity,
// then ESP keys (RFC 7402 §7): SA-gl enc, SA-gl auth, SA-lg enc, SA-lg auth. "g" is the host
// with the greater HIT. KEYMAT is expanded lazily so later SAs can draw from a KEYMAT index.
import { hmac, sha256, sha384 } from "../core/crypto/sym.ts";
import type { CHash } from "@noble/hashes/utils.js";
import { concat } from "../core/bytes.ts";
import { compareHits } from "./hit.ts";

type Hash = CHash;

/** RHASH of a HIT suite (RFC 7401 §2.3, Table 10); we implement suite 2 (SHA-384) and 1 (SHA-256). */
export function rhashOf(suite: number): Hash | undefined {
  return suite === 2 ? sha384 : suite === 1 ? sha256 : undefined;
}

/** sort(HIT-I | HIT-R): smaller HIT first (RFC 7401 §6.5). */
export function sortHits(a: Uint8Array, b: Uint8Array): Uint8Array {
  return compareHits(a, b) <= 0 ? concat(a, b) : concat(b, a);
}

/**
 * Lazily expanded KEYMAT. What stays in memory (issue 9 item 8): the HKDF continuation state
 * (PRK, the last block T(n) and n), needed by later draws (UPDATE rekeys, REA per-interface
 * SAs), and the expanded blocks not yet below `forget(index)`; Kij is not kept (callers wipe it)
 * and every block below the association's drawn mark is zero-filled and dropped.
 */
export class Keymat {
  private readonly prk: Uint8Array;
  private readonly info: Uint8Array;
  /** #I | #J of the base exchange (public: both were on the wire); a KEYMAT from a new
   * Diffie-Hellman in UPDATE (RFC 7402 §6.10) keeps them as its salt (docs/PROTOCOL.md §7.8). */
  private readonly salt: Uint8Array;
  /** Expanded bytes from KEYMAT offset `base` on. */
  private blocks: Uint8Array = new Uint8Array(0);
  private base = 0;
  private last: Uint8Array = new Uint8Array(0);
  private n = 0;

  /** @param hash RHASH; @param kij the DH shared secret; @param i puzzle #I; @param j puzzle #J. */
  constructor(
    private readonly hash: Hash,
    kij: Uint8Array,
    hitI: Uint8Array,
    hitR: Uint8Array,
    i: Uint8Array,
    j: Uint8Array,
  ) {
    this.salt = concat(i, j);
    this.prk = hmac(hash, this.salt, kij);
    this.info = sortHits(hitI, hitR);
  }

  /**
   * The KEYMAT of a new Diffie-Hellman exchanged in UPDATE (RFC 7402 §6.10 step 1): the same
   * HKDF (RHASH, sort(HIT-I | HIT-R), salt #I | #J) over the new Kij (wiped here). ESP keys are
   * drawn from its index 0, HIP keys are not redrawn (§6.10 step 3).
   */
  successor(kij: Uint8Array, hitI: Uint8Array, hitR: Uint8Array): Keymat {
    const k = new Keymat(this.hash, kij, hitI, hitR, this.salt, new Uint8Array(0));
    kij.fill(0);
    return k;
  }

  /** Maximum KEYMAT length: 255 HKDF blocks (RFC 5869 §2.3). */
  get maxLength(): number {
    return 255 * this.hash.outputLen;
  }

  /** KEYMAT offset below which the expanded bytes were wiped (read-only, for tests). */
  get wipedBelow(): number {
    return this.base;
  }

  /** `len` bytes of KEYMAT starting at byte `index`; undefined beyond the HKDF limit or below forget(). */
  slice(index: number, len: number): Uint8Array | undefined {
    const end = index + len;
    if (index < this.base || end > this.maxLength) return undefined;
    while (this.base + this.blocks.length < end) {
      this.n++;
      const prev = this.last;
      this.last = hmac(this.hash, this.prk, concat(prev, this.info, new Uint8Array([this.n])));
      prev.fill(0);
      const grown = concat(this.blocks, this.last);
      this.blocks.fill(0);
      this.blocks = grown;
    }
    return this.blocks.slice(index - this.base, end - this.base);
  }

  /** Zero-fill and drop the expanded bytes below `index` (they were drawn: never needed again). */
  forget(index: number): void {
    const cut = Math.min(Math.max(0, index - this.base), this.blocks.length);
    if (cut === 0) return;
    const rest = this.blocks.slice(cut);
    this.blocks.fill(0);
    this.blocks = rest;
    this.base += cut;
  }

  /** Wipe everything (association gone). */
  destroy(): void {
    this.blocks.fill(0);
    this.last.fill(0);
    this.prk.fill(0);
    this.base = this.maxLength;
    this.blocks = new Uint8Array(0);
  }
}

/** The four HIP association keys (RFC 7401 §6.5), seen from one host. */
export interface HipKeys {
  /** Our ENCRYPTED key and HIP_MAC key (outgoing). */
  localEnc: Uint8Array;
  /** Our HIP_MAC key. */
  localMac: Uint8Array;
  /** The peer's (incoming). */
  peerEnc: Uint8Array;
  /** The peer's HIP_MAC key. */
  peerMac: Uint8Array;
  /** KEYMAT index after the HIP keys: where ESP keys start (RFC 7402 §7). */
  espIndex: number;
}

/** Draw the HIP keys. `localIsGreater`: our HIT is HOST_g's. */
export function drawHipKeys(km: Keymat, encLen: number, macLen: number, localIsGreater: boolean): HipKeys {
  let o = 0;
  const take = (n: number): Uint8Array => {
    const k = km.slice(o, n)!;
    o += n;
    return k;
  };
  const glEnc = take(encLen);
  const glMac = take(macLen);
  const lgEnc = take(encLen);
  const lgMac = take(macLen);
  return localIsGreater
    ? { localEnc: glEnc, localMac: glMac, peerEnc: lgEnc, peerMac: lgMac, espIndex: o }
    : { localEnc: lgEnc, localMac: lgMac, peerEnc: glEnc, peerMac: glMac, espIndex: o };
}

/** ESP keys drawn at `index` (RFC 7402 §7): outbound = our direction, inbound = the peer's. */
export interface EspKeys {
  /** Outbound encryption key. */
  outEnc: Uint8Array;
  /** Outbound authentication key. */
  outAuth: Uint8Array;
  /** Inbound encryption key. */
  inEnc: Uint8Array;
  /** Inbound authentication key. */
  inAuth: Uint8Array;
  /** Index after the four keys. */
  next: number;
}

/** Draw the ESP keys of one SA pair at KEYMAT `index` (RFC 7402 §7); undefined past the KEYMAT's end. */
export function drawEspKeys(km: Keymat, index: number, encLen: number, authLen: number, localIsGreater: boolean): EspKeys | undefined {
  const all = km.slice(index, 2 * (encLen + authLen));
  if (!all) return undefined;
  const glEnc = all.slice(0, encLen);
  const glAuth = all.slice(encLen, encLen + authLen);
  const lgEnc = all.slice(encLen + authLen, 2 * encLen + authLen);
  const lgAuth = all.slice(2 * encLen + authLen);
  const next = index + all.length;
  return localIsGreater
    ? { outEnc: glEnc, outAuth: glAuth, inEnc: lgEnc, inAuth: lgAuth, next }
    : { outEnc: lgEnc, outAuth: lgAuth, inEnc: glEnc, inAuth: glAuth, next };
}
