// The @noble provider: synchronous, deterministic (RFC 6979 ECDSA nonces, keys from the
// caller's seed), everywhere; the reference the WebCrypto provider is tested against and the
// one the simulator uses (provider.ts).
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256, p384 } from "@noble/curves/nist.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha384 } from "@noble/hashes/sha2.js";
import type { CryptoProvider, EcdhCurve, EcdhKeyRef, HashName, PrivateKeyRef, PublicKeyRef, SigAlgorithm } from "./provider.ts";

const HASH = { "SHA-1": sha1, "SHA-256": sha256, "SHA-384": sha384 } as const;
const CURVE = { "P-256": p256, "P-384": p384, "ECDSA-P256": p256, "ECDSA-P384": p384 } as const;

function point(pub: Uint8Array): Uint8Array {
  const b = new Uint8Array(pub.length + 1);
  b[0] = 4;
  b.set(pub, 1);
  return b;
}

function ecdh(own: EcdhKeyRef, peerPublic: Uint8Array): Uint8Array | undefined {
  const c = CURVE[own.curve];
  if (peerPublic.length !== own.pub.length) return undefined;
  try {
    return c.getSharedSecret(own.secret, point(peerPublic), true).slice(1);
  } catch {
    return undefined;
  }
}

function generateEcdh(curve: EcdhCurve, seed: Uint8Array): EcdhKeyRef {
  const c = CURVE[curve];
  const secret = c.utils.randomSecretKey(seed);
  return { curve, secret, pub: c.getPublicKey(secret, false).slice(1) };
}

/** Seed length `generateEcdh` reduces to a scalar (FIPS 186 style, as hip/dh.ts always did). */
export function ecdhSeedLength(curve: EcdhCurve): number {
  const c = CURVE[curve];
  return c.lengths.seed ?? (curve === "P-256" ? 32 : 48) + 16;
}

export const nobleProvider: CryptoProvider = {
  name: "noble",
  supports: () => true,
  sign(key: PrivateKeyRef, hash: HashName, data: Uint8Array): Uint8Array {
    if (key.alg === "Ed25519") return ed25519.sign(data, key.secret);
    return CURVE[key.alg].sign(HASH[hash](data), key.secret, { prehash: false, lowS: true });
  },
  verify(key: PublicKeyRef, hash: HashName, data: Uint8Array, signature: Uint8Array): boolean {
    try {
      if (key.alg === "Ed25519") return ed25519.verify(signature, data, key.pub, { zip215: false });
      return CURVE[key.alg].verify(signature, HASH[hash](data), point(key.pub), { lowS: false, prehash: false });
    } catch {
      return false;
    }
  },
  ecdh,
  generateEcdh,
  ephemeralEcdh(curve: EcdhCurve, seed: Uint8Array, peerPublic: Uint8Array) {
    const own = generateEcdh(curve, seed);
    const kij = ecdh(own, peerPublic);
    own.secret.fill(0);
    return kij ? { publicValue: own.pub, kij } : undefined;
  },
  hash: (h: HashName, data: Uint8Array) => HASH[h](data),
  hmac: (h: HashName, key: Uint8Array, data: Uint8Array) => hmac(HASH[h], key, data),
  hkdf: (h: HashName, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number) => hkdf(HASH[h], ikm, salt, info, length),
};

export type { SigAlgorithm };
