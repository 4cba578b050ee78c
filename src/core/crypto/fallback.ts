// A provider that uses `primary` for every algorithm it supports and `fallback` (@noble) for the
// rest (e.g. Ed25519 where WebCrypto lacks it).
import type { CryptoProvider, EcdhCurve, SigAlgorithm } from "./provider.ts";

export function withFallback(primary: CryptoProvider, fallback: CryptoProvider): CryptoProvider {
  const pick = (alg: SigAlgorithm | EcdhCurve) => (primary.supports(alg) ? primary : fallback);
  return {
    name: `${primary.name}+${fallback.name}`,
    supports: (alg) => primary.supports(alg) || fallback.supports(alg),
    sign: (key, hash, data) => pick(key.alg).sign(key, hash, data),
    verify: (key, hash, data, sig) => pick(key.alg).verify(key, hash, data, sig),
    ecdh: (own, peer) => pick(own.curve).ecdh(own, peer),
    generateEcdh: (curve, seed) => pick(curve).generateEcdh(curve, seed),
    ephemeralEcdh: (curve, seed, peer) => pick(curve).ephemeralEcdh(curve, seed, peer),
    // Symmetric primitives: @noble is synchronous and, for HIP's short inputs, cheaper than one
    // awaited WebCrypto call (~30-40 µs); the primary's versions stay available directly.
    hash: (h, d) => fallback.hash(h, d),
    hmac: (h, k, d) => fallback.hmac(h, k, d),
    hkdf: (h, ikm, salt, info, len) => fallback.hkdf(h, ikm, salt, info, len),
  };
}
