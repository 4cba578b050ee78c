// Shared helpers for the ESP tests: deterministic keys and an independent ESP codec built
// on node:crypto (RFC 4303 / RFC 4106 / RFC 2404 / RFC 4868), to check our packets byte by byte.
import { type CipherGCM, createCipheriv, createDecipheriv, createHmac, type DecipherGCM } from "node:crypto";
import { EspSuite, espKeyLengths, type SaParams } from "../../src/esp/types.ts";

export const SUITES: EspSuite[] = [
  EspSuite.AES128_CBC_SHA1, EspSuite.NULL_SHA256, EspSuite.AES128_CBC_SHA256, EspSuite.AES256_CBC_SHA256, EspSuite.AES_GCM16,
];

/** Deterministic pseudo-random bytes (xorshift32) so failures reproduce. */
export function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function saPair(suite: EspSuite, spi: number, seed = 1, extra: Partial<SaParams> = {}): [SaParams, SaParams] {
  const { enc, auth } = espKeyLengths(suite);
  const base = { spi, suite, encKey: bytes(enc, seed), authKey: bytes(auth, seed + 1000), ivSeed: bytes(16, seed + 2000) };
  return [{ ...base, direction: "out", ...extra }, { ...base, direction: "in", ...extra }];
}

function aesName(keyLen: number, mode: "cbc" | "gcm"): string {
  return `aes-${keyLen * 8}-${mode}`;
}

const icvLen = (suite: EspSuite): number => (suite === EspSuite.AES128_CBC_SHA1 ? 12 : 16);
const ivLen = (suite: EspSuite): number => (suite === EspSuite.NULL_SHA256 ? 0 : suite === EspSuite.AES_GCM16 ? 8 : 16);

/** Opens an ESP packet with node:crypto only. Returns null on ICV failure. */
export function nodeOpen(sa: SaParams, pkt: Uint8Array): { seq: number; nextHeader: number; payload: Uint8Array } | null {
  const b = Buffer.from(pkt);
  const iv = ivLen(sa.suite);
  const icv = icvLen(sa.suite);
  const ct = b.subarray(8 + iv, b.length - icv);
  const tag = b.subarray(b.length - icv);
  let plain: Buffer;
  if (sa.suite === EspSuite.AES_GCM16) {
    const key = sa.encKey.subarray(0, sa.encKey.length - 4);
    const nonce = Buffer.concat([sa.encKey.subarray(sa.encKey.length - 4), b.subarray(8, 16)]);
    const d = createDecipheriv(aesName(key.length, "gcm"), key, nonce) as DecipherGCM;
    d.setAAD(b.subarray(0, 8));
    d.setAuthTag(tag);
    try {
      plain = Buffer.concat([d.update(ct), d.final()]);
    } catch {
      return null;
    }
  } else {
    const alg = sa.suite === EspSuite.AES128_CBC_SHA1 ? "sha1" : "sha256";
    const mac = createHmac(alg, sa.authKey).update(b.subarray(0, b.length - icv)).digest().subarray(0, icv);
    if (!mac.equals(tag)) return null;
    if (iv === 0) plain = Buffer.from(ct);
    else {
      const d = createDecipheriv(aesName(sa.encKey.length, "cbc"), sa.encKey, b.subarray(8, 24));
      d.setAutoPadding(false);
      plain = Buffer.concat([d.update(ct), d.final()]);
    }
  }
  const padLen = plain[plain.length - 2];
  for (let i = 0; i < padLen; i++) if (plain[plain.length - 2 - padLen + i] !== i + 1) throw new Error("bad padding");
  return {
    seq: b.readUInt32BE(4),
    nextHeader: plain[plain.length - 1],
    payload: new Uint8Array(plain.subarray(0, plain.length - 2 - padLen)),
  };
}

/** Seals an ESP packet with node:crypto only (IV given). */
export function nodeSeal(sa: SaParams, seq: number, iv: Uint8Array, nextHeader: number, payload: Uint8Array): Uint8Array {
  const block = ivLen(sa.suite) === 16 ? 16 : 4;
  const padLen = (block - ((payload.length + 2) % block)) % block;
  const pad = Uint8Array.from({ length: padLen }, (_, i) => i + 1);
  const plain = Buffer.concat([payload, pad, Uint8Array.of(padLen, nextHeader)]);
  const hdr = Buffer.alloc(8);
  hdr.writeUInt32BE(sa.spi >>> 0, 0);
  hdr.writeUInt32BE(seq >>> 0, 4);
  if (sa.suite === EspSuite.AES_GCM16) {
    const key = sa.encKey.subarray(0, sa.encKey.length - 4);
    const c = createCipheriv(aesName(key.length, "gcm"), key, Buffer.concat([sa.encKey.subarray(sa.encKey.length - 4), iv])) as CipherGCM;
    c.setAAD(hdr);
    const ct = Buffer.concat([c.update(plain), c.final()]);
    return new Uint8Array(Buffer.concat([hdr, iv, ct, c.getAuthTag()]));
  }
  let ct: Buffer = plain;
  if (ivLen(sa.suite) === 16) {
    const c = createCipheriv(aesName(sa.encKey.length, "cbc"), sa.encKey, iv);
    c.setAutoPadding(false);
    ct = Buffer.concat([c.update(plain), c.final()]);
  }
  const body = Buffer.concat([hdr, ivLen(sa.suite) ? iv : Buffer.alloc(0), ct]);
  const alg = sa.suite === EspSuite.AES128_CBC_SHA1 ? "sha1" : "sha256";
  const mac = createHmac(alg, sa.authKey).update(body).digest().subarray(0, icvLen(sa.suite));
  return new Uint8Array(Buffer.concat([body, mac]));
}

/** Both builds of the module (src/wasm/embedded.ts; every Node this project supports runs the
 *  relaxed-SIMD one, Node 20 after src/wasm/node-features.ts). */
export const WASM_VARIANTS = ["simd", "relaxed-simd"] as const;
