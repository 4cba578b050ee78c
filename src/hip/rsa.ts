// RSA host identities (RFC 7401 §5.2.9: HI algorithm 5 = RSA, REQUIRED; HIT suite 1 =
// RSA,DSA/SHA-256, §5.2.10). Host Identity field = the RFC 3110 §2 public key:
//   exponent length (1 octet, or 0 then 2 octets when > 255) | exponent | modulus,
// no leading zero octets. Signatures (§5.2.14 HIP_SIGNATURE SIG alg 5): RSASSA-PSS
// (RFC 8017 §8.1) with SHA-256 (the HIT suite 1 hash), MGF1-SHA-256 and a 32-octet salt, as
// cutehip sends; verification recovers the salt length (any sLen), so other salt lengths pass.
// The salt is derived, not drawn (sans-I/O: signing has no Rng): HMAC-SHA-256(d, mHash)
// (RFC 8017 §9.1 note 4 allows deterministic salts). Pure bigint arithmetic, CRT for signing.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concat, ctEqual } from "../core/bytes.ts";
import type { Scheme } from "./scheme.ts";

/** HI algorithm number of RSA. */
export const HI_RSA = 5;
/** HIT suite of RSA / DSA (SHA-256). */
export const HIT_SUITE_RSA_SHA256 = 1;
/** Accepted modulus sizes (bits): bounds the cost of a hostile HOST_ID. */
export const RSA_MIN_BITS = 1024;
export const RSA_MAX_BITS = 4096;
const SALT_LEN = 32;
const H_LEN = 32;

export function bytesToBig(b: Uint8Array): bigint {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

export function bigToBytes(x: bigint, len?: number): Uint8Array {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const n = hex.length / 2;
  const out = new Uint8Array(len ?? n);
  if (len !== undefined && n > len) throw new Error("integer too large");
  const off = out.length - n;
  for (let i = 0; i < n; i++) out[off + i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let r = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return r;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** RFC 8017 B.2.1 MGF1 with SHA-256. */
function mgf1(seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const c = new Uint8Array(4);
  for (let i = 0, o = 0; o < len; i++, o += H_LEN) {
    c[0] = i >>> 24;
    c[1] = (i >>> 16) & 0xff;
    c[2] = (i >>> 8) & 0xff;
    c[3] = i & 0xff;
    const h = sha256(concat(seed, c));
    out.set(h.subarray(0, Math.min(H_LEN, len - o)), o);
  }
  return out;
}

/** RFC 8017 §9.1.1 EMSA-PSS-ENCODE. */
function pssEncode(mHash: Uint8Array, salt: Uint8Array, emBits: number): Uint8Array {
  const emLen = Math.ceil(emBits / 8);
  const h = sha256(concat(new Uint8Array(8), mHash, salt));
  const db = new Uint8Array(emLen - H_LEN - 1);
  db[db.length - salt.length - 1] = 1;
  db.set(salt, db.length - salt.length);
  const mask = mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  return concat(db, h, new Uint8Array([0xbc]));
}

/** RFC 8017 §9.1.2 EMSA-PSS-VERIFY, salt length recovered from the padding. */
function pssVerify(mHash: Uint8Array, em: Uint8Array, emBits: number): boolean {
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < H_LEN + 2 || em[emLen - 1] !== 0xbc) return false;
  const zeroBits = 8 * emLen - emBits;
  const masked = em.subarray(0, emLen - H_LEN - 1);
  const h = em.subarray(emLen - H_LEN - 1, emLen - 1);
  if (zeroBits > 0 && masked[0] >> (8 - zeroBits) !== 0) return false;
  const db = mgf1(h, masked.length);
  for (let i = 0; i < db.length; i++) db[i] ^= masked[i];
  db[0] &= 0xff >> zeroBits;
  let i = 0;
  while (i < db.length && db[i] === 0) i++;
  if (i >= db.length || db[i] !== 1) return false;
  const salt = db.subarray(i + 1);
  return ctEqual(sha256(concat(new Uint8Array(8), mHash, salt)), h);
}

/** The RFC 3110 §2 public key of (e, n). */
export function rsaPublicKey(e: Uint8Array, n: Uint8Array): Uint8Array {
  const head = e.length < 256 ? new Uint8Array([e.length]) : new Uint8Array([0, e.length >> 8, e.length & 0xff]);
  return concat(head, e, n);
}

/** Split an RFC 3110 public key into (e, n); undefined when malformed (leading zeros, sizes). */
export function parseRsaPublicKey(pub: Uint8Array): { e: bigint; n: bigint; bits: number } | undefined {
  if (pub.length < 1) return undefined;
  let off = 1;
  let eLen = pub[0];
  if (eLen === 0) {
    if (pub.length < 3) return undefined;
    eLen = (pub[1] << 8) | pub[2];
    off = 3;
  }
  if (eLen === 0 || eLen > 8 || pub.length <= off + eLen) return undefined;
  const eb = pub.subarray(off, off + eLen);
  const nb = pub.subarray(off + eLen);
  if (eb[0] === 0 || nb[0] === 0) return undefined;
  const e = bytesToBig(eb);
  const n = bytesToBig(nb);
  const bits = bitLength(n);
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS || (n & 1n) === 0n || (e & 1n) === 0n || e < 3n) return undefined;
  return { e, n, bits };
}

/** Private key fields, big-endian: n, e, d, p, q, dp, dq, qi (JWK / RFC 8017 §3.2 names). */
export interface RsaPrivateFields {
  n: Uint8Array;
  e: Uint8Array;
  d: Uint8Array;
  p: Uint8Array;
  q: Uint8Array;
  dp: Uint8Array;
  dq: Uint8Array;
  qi: Uint8Array;
}
const FIELDS = ["n", "e", "d", "p", "q", "dp", "dq", "qi"] as const;

/** Our secret-key byte string: each field as length (2 octets) | value, in FIELDS order. */
export function encodeRsaSecret(f: RsaPrivateFields): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const k of FIELDS) {
    const v = stripZeros(f[k]);
    parts.push(new Uint8Array([v.length >> 8, v.length & 0xff]), v);
  }
  return concat(...parts);
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

interface RsaSecret {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qi: bigint;
  raw: Record<(typeof FIELDS)[number], Uint8Array>;
}

export function decodeRsaSecret(b: Uint8Array): RsaSecret | undefined {
  const raw = {} as Record<(typeof FIELDS)[number], Uint8Array>;
  let o = 0;
  for (const k of FIELDS) {
    if (o + 2 > b.length) return undefined;
    const len = (b[o] << 8) | b[o + 1];
    if (len === 0 || o + 2 + len > b.length) return undefined;
    raw[k] = b.subarray(o + 2, o + 2 + len);
    o += 2 + len;
  }
  if (o !== b.length) return undefined;
  const s = { raw } as RsaSecret;
  for (const k of FIELDS) s[k] = bytesToBig(raw[k]);
  // Consistency: n = p q, e d = 1 mod (p-1) and (q-1) via the CRT exponents, qi q = 1 mod p.
  if (s.p * s.q !== s.n || s.dp !== s.d % (s.p - 1n) || s.dq !== s.d % (s.q - 1n) || (s.qi * s.q) % s.p !== 1n) return undefined;
  if ((s.e * s.dp) % (s.p - 1n) !== 1n || (s.e * s.dq) % (s.q - 1n) !== 1n) return undefined;
  const bits = bitLength(s.n);
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) return undefined;
  return s;
}

/** The scheme for one modulus size (signature length = modulus octets). */
export function rsaScheme(modBytes: number): Scheme {
  return {
    algorithm: HI_RSA,
    curve: 0,
    name: "RSA",
    hitSuite: HIT_SUITE_RSA_SHA256,
    secretLen: 0,
    pubLen: 0,
    sigLen: modBytes,
    seedLen: 0,
    secretFromSeed: () => {
      throw new Error("RSA keys are generated with generateRsaIdentity (WebCrypto)");
    },
    publicFromSecret: (secret) => {
      const s = decodeRsaSecret(secret);
      if (!s) throw new Error("invalid RSA private key");
      return rsaPublicKey(stripZeros(s.raw.e), stripZeros(s.raw.n));
    },
    validPublic: (pub) => parseRsaPublicKey(pub) !== undefined,
    hostIdOf: (pub) => pub.slice(),
    sign: (secret, data) => {
      const s = decodeRsaSecret(secret)!;
      const bits = bitLength(s.n);
      const mHash = sha256(data);
      const salt = hmac(sha256, s.raw.d, mHash).subarray(0, SALT_LEN);
      const m = bytesToBig(pssEncode(mHash, salt, bits - 1));
      // RFC 8017 §5.1.2 RSASP1 with the CRT.
      const m1 = modPow(m, s.dp, s.p);
      const m2 = modPow(m, s.dq, s.q);
      const h = (((m1 - m2) % s.p) + s.p) % s.p;
      const sig = m2 + ((s.qi * h) % s.p) * s.q;
      return bigToBytes(sig, Math.ceil(bits / 8));
    },
    verify: (pub, data, sig) => {
      const k = parseRsaPublicKey(pub);
      if (!k || sig.length !== Math.ceil(k.bits / 8)) return false;
      const s = bytesToBig(sig);
      if (s >= k.n) return false;
      const m = modPow(s, k.e, k.n);
      const emBits = k.bits - 1;
      let em: Uint8Array;
      try {
        em = bigToBytes(m, Math.ceil(emBits / 8));
      } catch {
        return false;
      }
      return pssVerify(sha256(data), em, emBits);
    },
  };
}

/** Modulus size in octets of an RFC 3110 public key (0 if malformed). */
export function rsaModulusBytes(pub: Uint8Array): number {
  const k = parseRsaPublicKey(pub);
  return k ? Math.ceil(k.bits / 8) : 0;
}
