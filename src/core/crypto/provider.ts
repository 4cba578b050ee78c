// Crypto provider interface (issue 12 Deliver 1): the public-key and hash primitives of the
// control plane behind one interface, so that a runtime can use its native implementation
// (WebCrypto: OpenSSL in Node / Deno / workerd, BoringSSL in Chromium) while the simulator and
// the tests keep the deterministic, synchronous @noble one (noble.ts). Results may be a value
// (synchronous provider) or a Promise (WebCrypto): the sans-I/O cores never call a provider
// themselves; they emit crypto jobs that a driver runs (src/hip/crypto-jobs.ts,
// docs/ARCHITECTURE.md "Crypto jobs").
// Keys are raw byte strings (no ASN.1): ECDSA / ECDH public keys x | y (RFC 5903 §7,
// coordinates padded to the field size), secrets the big-endian scalar; Ed25519 the RFC 8032
// §5.1.5 32-byte public key and 32-byte seed. Providers may cache imported keys by the identity
// of these arrays (WeakMap): callers keep one array per key for its lifetime.

export type MaybePromise<T> = T | Promise<T>;

/** Signature algorithms: ECDSA (r | s, IEEE P1363 encoding) and pure Ed25519 (RFC 8032). */
export type SigAlgorithm = "ECDSA-P256" | "ECDSA-P384" | "Ed25519";
/** ECDH groups (RFC 5903; RFC 7401 DH groups 7 and 8). */
export type EcdhCurve = "P-256" | "P-384";
export type HashName = "SHA-1" | "SHA-256" | "SHA-384";

export interface PublicKeyRef {
  readonly alg: SigAlgorithm;
  /** x | y (ECDSA) or the 32-byte Ed25519 key. */
  readonly pub: Uint8Array;
}

export interface PrivateKeyRef extends PublicKeyRef {
  /** Scalar (ECDSA) or seed (Ed25519). Never logged. */
  readonly secret: Uint8Array;
}

export interface EcdhKeyRef {
  readonly curve: EcdhCurve;
  /** x | y. */
  readonly pub: Uint8Array;
  readonly secret: Uint8Array;
}

export interface CryptoProvider {
  readonly name: string;
  /** True when every method returns its value, never a Promise (node:crypto): the core
   * may then call it inline (HipHostConfig.syncCrypto) for what it signs outside crypto jobs. */
  readonly synchronous?: boolean;
  /** False when this provider lacks `alg` in this runtime: the caller uses the fallback. */
  supports(alg: SigAlgorithm | EcdhCurve): boolean;
  /** ECDSA: `hash` of `data`, truncated to the order (FIPS 186-4 §6.4), r | s; Ed25519: `hash` ignored. */
  sign(key: PrivateKeyRef, hash: HashName, data: Uint8Array): MaybePromise<Uint8Array>;
  /** Never rejects: false for a wrong or malformed signature or key. */
  verify(key: PublicKeyRef, hash: HashName, data: Uint8Array, signature: Uint8Array): MaybePromise<boolean>;
  /** Kij = x-coordinate of the shared point (RFC 5903 §7); undefined if `peerPublic` is not a
   * valid point of the curve (RFC 7401 §5.3.2). Never rejects. */
  ecdh(own: EcdhKeyRef, peerPublic: Uint8Array): MaybePromise<Uint8Array | undefined>;
  /** A fresh ECDH key pair. `seed` (Rng bytes) makes it deterministic where the provider can
   * derive a key from it (noble); a native provider may draw its own randomness instead. */
  generateEcdh(curve: EcdhCurve, seed: Uint8Array): MaybePromise<EcdhKeyRef>;
  /** A fresh key pair and Kij with `peerPublic` in one step (an Initiator's I2 key, RFC 7401
   * §6.8): undefined if `peerPublic` is invalid. */
  ephemeralEcdh(curve: EcdhCurve, seed: Uint8Array, peerPublic: Uint8Array): MaybePromise<{ publicValue: Uint8Array; kij: Uint8Array } | undefined>;
  hash(hash: HashName, data: Uint8Array): MaybePromise<Uint8Array>;
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array): MaybePromise<Uint8Array>;
  /** HKDF (RFC 5869), `length` bytes. */
  hkdf(hash: HashName, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): MaybePromise<Uint8Array>;
}

export function isPromise<T>(x: MaybePromise<T>): x is Promise<T> {
  return typeof (x as { then?: unknown })?.then === "function";
}

/** Field size in bytes of an ECDSA / ECDH curve. */
export function curveSize(c: EcdhCurve | SigAlgorithm): number {
  return c === "P-384" || c === "ECDSA-P384" ? 48 : 32;
}
