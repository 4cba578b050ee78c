// DH (RFC 7401 §5.2.7: ECDH groups 7 = NIST P-256, 8 = NIST P-384, public value x | y as in
// RFC 5903 §7; shared secret Kij = x coordinate), KEYMAT (§6.5: HKDF (RFC 5869) with RHASH,
// salt = #I | #J, info = sort(HIT-I | HIT-R)), puzzle (§4.1.2), HMAC (§5.2.12).
import { createECDH, createHash, createHmac, hkdfSync, type ECDH } from "node:crypto";
import { compare, concat } from "./bytes.ts";

export const DH_GROUPS: Record<number, { curve: string; size: number }> = {
  7: { curve: "prime256v1", size: 32 },
  8: { curve: "secp384r1", size: 48 },
};

export class DhKey {
  private readonly ecdh: ECDH;
  readonly pub: Uint8Array;
  constructor(readonly group: number) {
    const g = DH_GROUPS[group];
    this.ecdh = createECDH(g.curve);
    this.pub = new Uint8Array(this.ecdh.generateKeys()).slice(1);
  }
  /** Kij, or undefined when the peer's value is malformed / not on the curve. */
  shared(peerPub: Uint8Array): Uint8Array | undefined {
    if (peerPub.length !== 2 * DH_GROUPS[this.group].size) return undefined;
    try {
      return new Uint8Array(this.ecdh.computeSecret(concat(new Uint8Array([4]), peerPub)));
    } catch {
      return undefined;
    }
  }
}

export const RHASH = "sha384";
export const RHASH_LEN = 48;

export function sortHits(a: Uint8Array, b: Uint8Array): Uint8Array {
  return compare(a, b) < 0 ? concat(a, b) : concat(b, a);
}

export function keymat(kij: Uint8Array, hitI: Uint8Array, hitR: Uint8Array, i: Uint8Array, j: Uint8Array, len: number): Uint8Array {
  return new Uint8Array(hkdfSync(RHASH, kij, concat(i, j), sortHits(hitI, hitR), len));
}

/** §4.1.2: Ltrunc(RHASH(#I | HIT-I | HIT-R | #J), #K) == 0, where (§2.2) Ltrunc(H(x), #K) is the
 * LOWEST-order #K bits of H(x), i.e. the last bits of the digest. */
export function puzzleOk(i: Uint8Array, hitI: Uint8Array, hitR: Uint8Array, j: Uint8Array, k: number): boolean {
  const d = createHash(RHASH).update(concat(i, hitI, hitR, j)).digest();
  for (let bit = 0; bit < k; bit++) if (d[d.length - 1 - (bit >> 3)] & (1 << (bit & 7))) return false;
  return true;
}

export function solvePuzzle(i: Uint8Array, hitI: Uint8Array, hitR: Uint8Array, k: number): Uint8Array {
  const j = new Uint8Array(i.length);
  for (let n = 0; n < 1 << 24; n++) {
    new DataView(j.buffer).setUint32(j.length - 4, n);
    if (puzzleOk(i, hitI, hitR, j, k)) return j;
  }
  throw new Error("puzzle not solved");
}

export function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(RHASH, key).update(data).digest());
}
