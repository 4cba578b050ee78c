// Host identities (RFC 7401 §3, §5.2.9; RFC 9374 §3.4):
// - ECDSA (HI algorithm 7) over NIST P-256 / P-384 (ECC curve 1 / 2). Host Identity field =
//   `ECC Curve (2 bytes) | Public Key`, the public key an RFC 6090 octet string. We send the
//   SEC1 uncompressed point 0x04 | x | y (coordinates padded to the field size), as cutehip and
//   HIPL (lib/core/hostid.c ecdsa_to_key_rr, EC_POINT_point2oct uncompressed) do, and accept
//   x | y without the 0x04 too (docs/PROTOCOL.md §11). The HIT is computed over the Host Identity
//   field as carried in HOST_ID.
//   Signatures are r | s over the message hashed with SHA-384, the hash of HIT suite 2
//   "ECDSA/SHA-384" (RFC 7401 §5.2.10), for both curves (cutehip does the same); for P-256 a
//   SHA-256 signature (RFC 4754's pairing) is accepted too.
// - RSA (HI algorithm 5, RFC 3110 key, RSASSA-PSS/SHA-256, HIT suite 1): rsa.ts.
// - EdDSA (HI algorithm 13) over Ed25519 (EdDSA curve 1, RFC 9374 §3.4.1.1). Host Identity
//   field = `EdDSA Curve (2 bytes) | Public Key`, the 32-byte RFC 8032 §5.1.5 encoding.
//   Signatures are pure Ed25519 (RFC 8032 §5.1.6, 64 bytes, no pre-hash). HIT suite 5
//   (EdDSA/cSHAKE128, RFC 9374 §3.4.2).
// HIP_SIGNATURE's SIG alg carries the HI algorithm (RFC 7401 §5.2.14). Key generation draws
// from an injected Rng (sans-I/O); RSA keys come from WebCrypto (runtime/rsa-keygen.ts).
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256, p384 } from "@noble/curves/nist.js";
import { nativeEcPublic, sha256, sha384 } from "../core/crypto/sym.ts";
import { concat, equalBytes } from "../core/bytes.ts";
import type { PrivateKeyRef, PublicKeyRef, SigAlgorithm } from "../core/crypto/provider.ts";
import type { Rng } from "../core/types.ts";
import { hitFromHostId } from "./hit.ts";
import { HI_RSA, HIT_SUITE_RSA_SHA256, rsaModulusBytes, rsaScheme } from "./rsa.ts";
import type { Scheme } from "./scheme.ts";

export { HI_RSA, HIT_SUITE_RSA_SHA256 } from "./rsa.ts";

/** HI algorithms (RFC 7401 §5.2.9; RFC 9374 §3.4.1 Table 4). */
export const HI_ECDSA = 7;
/** EdDSA (RFC 9374 §3.4.1 Table 4). */
export const HI_EDDSA = 13;
/** ECC curve labels for ECDSA HIs (RFC 7401 §5.2.9). */
export const CURVE_P256 = 1;
/** NIST P-384. */
export const CURVE_P384 = 2;
/** EdDSA curve label for EdDSA HIs (RFC 9374 §3.4.1.1 Table 5). */
export const EDDSA_CURVE_ED25519 = 1;
/** HIT suites (RFC 7401 §5.2.10; RFC 9374 §3.4.2 Table 6). */
export const HIT_SUITE_ECDSA_SHA384 = 2;
/** EdDSA / cSHAKE128 (RFC 9374 §3.4.2). */
export const HIT_SUITE_EDDSA_CSHAKE128 = 5;
/** HIT suites of the HIs this implementation can verify: what a Responder lists in R1's
 * HIT_SUITE_LIST (RFC 7401 §5.2.10) and accepts as the Initiator's HIT suite in I2. */
export const SUPPORTED_HIT_SUITES: readonly number[] = [HIT_SUITE_ECDSA_SHA384, HIT_SUITE_EDDSA_CSHAKE128, HIT_SUITE_RSA_SHA256];

/** Key types a host identity can have. */
export type CurveName = "P-256" | "P-384" | "Ed25519" | "RSA";

/** Provider algorithm of each scheme (src/core/crypto/provider.ts); RSA has none. */
const SIG_ALG: Partial<Record<CurveName, SigAlgorithm>> = { "P-256": "ECDSA-P256", "P-384": "ECDSA-P384", Ed25519: "Ed25519" };

function ecdsaScheme(curve: number, name: "P-256" | "P-384", ec: typeof p256, size: number): Scheme {
  const point = (pub: Uint8Array) => concat(new Uint8Array([4]), pub);
  // §5.2.10: HIT suite 2 is ECDSA/SHA-384; P-256 also accepts RFC 4754's SHA-256 on receipt.
  const verifyHashes = size === 32 ? [sha384, sha256] : [sha384];
  return {
    algorithm: HI_ECDSA,
    curve,
    name,
    hitSuite: HIT_SUITE_ECDSA_SHA384,
    secretLen: size,
    pubLen: 2 * size,
    sigLen: 2 * size,
    seedLen: ec.lengths.seed ?? size + 16,
    // FIPS 186 style reduction of Rng bytes to a scalar.
    secretFromSeed: (seed) => ec.utils.randomSecretKey(seed),
    // The same point natively where a runtime installed it (Node: 0.06 / 0.9 ms against @noble's
    // 2.7 / 3.3 ms for P-256 / P-384, and none of @noble's garbage).
    publicFromSecret: (secret) => nativeEcPublic(name, secret) ?? ec.getPublicKey(secret, false).slice(1),
    validPublic: (pub) => {
      ec.Point.fromBytes(point(pub)).assertValidity();
      return true;
    },
    // RFC 6090 octet string as the SEC1 uncompressed point (0x04 | x | y).
    hostIdOf: (pub) => concat(new Uint8Array([curve >> 8, curve & 0xff, 4]), pub),
    // Deterministic k (RFC 6979); the hash is truncated to the order's size (FIPS 186-4 §6.4).
    sign: (secret, data) => ec.sign(sha384(data), secret, { prehash: false, lowS: true }),
    // Verification accepts high-S signatures.
    verify: (pub, data, sig) => verifyHashes.some((h) => ec.verify(sig, h(data), point(pub), { lowS: false, prehash: false })),
  };
}

const ED25519: Scheme = {
  algorithm: HI_EDDSA,
  curve: EDDSA_CURVE_ED25519,
  name: "Ed25519",
  hitSuite: HIT_SUITE_EDDSA_CSHAKE128,
  secretLen: 32,
  pubLen: 32,
  sigLen: 64,
  seedLen: 32,
  // RFC 8032 §5.1.5: the private key is 32 random bytes.
  secretFromSeed: (seed) => seed.slice(),
  publicFromSecret: (secret) => ed25519.getPublicKey(secret),
  hostIdOf: (pub) => concat(new Uint8Array([0, EDDSA_CURVE_ED25519]), pub),
  // A canonical encoding of a point that is not of small order.
  validPublic: (pub) => !ed25519.Point.fromBytes(pub).isSmallOrder(),
  sign: (secret, data) => ed25519.sign(data, secret),
  // RFC 8032 §5.1.7 (cofactorless, canonical S), not ZIP-215.
  verify: (pub, data, sig) => ed25519.verify(sig, data, pub, { zip215: false }),
};

const SCHEMES: readonly Scheme[] = [ecdsaScheme(CURVE_P256, "P-256", p256, 32), ecdsaScheme(CURVE_P384, "P-384", p384, 48), ED25519];

/** By name, or by number meaning an ECDSA curve label (1 = P-256, 2 = P-384; kept for old callers). */
function schemeOf(curve: CurveName | number): Scheme | undefined {
  return SCHEMES.find((s) => (typeof curve === "number" ? s.algorithm === HI_ECDSA && s.curve === curve : s.name === curve));
}

/** Scheme and raw public key of a received Host Identity field; ECDSA in either form
 * (curve | 0x04 | x | y, or curve | x | y). */
function parseHostId(algorithm: number, hostId: Uint8Array): { s: Scheme; pub: Uint8Array } | undefined {
  if (algorithm === HI_RSA) {
    const n = rsaModulusBytes(hostId);
    return n ? { s: rsaScheme(n), pub: hostId.slice() } : undefined;
  }
  if (hostId.length < 2) return undefined;
  const label = (hostId[0] << 8) | hostId[1];
  const s = SCHEMES.find((x) => x.algorithm === algorithm && x.curve === label);
  if (!s) return undefined;
  if (hostId.length === 2 + s.pubLen) return { s, pub: hostId.slice(2) };
  if (s.algorithm === HI_ECDSA && hostId.length === 3 + s.pubLen && hostId[2] === 4) return { s, pub: hostId.slice(3) };
  return undefined;
}

/** Peer identities parsed lately, by algorithm and Host Identity bytes (fromHostId). */
const RECENT_PEERS = new Map<string, PeerIdentity>();

/** The public half of a host identity: what HOST_ID carries and what verifies signatures. */
export class PeerIdentity {
  protected constructor(
    protected readonly scheme: Scheme,
    /** The raw public key: x | y (ECDSA), the 32-byte encoding (Ed25519), RFC 3110 key (RSA). */
    readonly publicKey: Uint8Array,
    /** The Host Identity field of HOST_ID as sent / received (the HIT's input). */
    readonly hostId: Uint8Array,
    /** The HIT (16 bytes, ORCHIDv2 over `hostId`). */
    readonly hit: Uint8Array,
  ) {}

  /** HI algorithm (7 = ECDSA, 13 = EdDSA); also the SIG alg of our signatures. */
  get algorithm(): number {
    return this.scheme.algorithm;
  }

  /** HIT suite the HIT is computed with (2 = ECDSA/SHA-384, 5 = EdDSA/cSHAKE128). */
  get hitSuite(): number {
    return this.scheme.hitSuite;
  }

  /** Curve label within the algorithm (ECDSA: 1 = P-256, 2 = P-384; EdDSA: 1 = Ed25519). */
  get curve(): number {
    return this.scheme.curve;
  }

  /** Key type name. */
  get curveName(): CurveName {
    return this.scheme.name;
  }

  /** Parse a Host Identity field for `algorithm`; undefined if unsupported or not a valid
   * key. The HIT is computed over `hostId` exactly as received (RFC 7401 §3.2). */
  static fromHostId(algorithm: number, hostId: Uint8Array): PeerIdentity | undefined {
    // A Host Identity seen lately (the Responder in each R1 of a reconnecting host) is not
    // validated and hashed again: PeerIdentity is immutable, so the same object serves.
    const id = hostId.length <= 600 ? algorithm + String.fromCharCode.apply(null, hostId as unknown as number[]) : undefined;
    const seen = id !== undefined ? RECENT_PEERS.get(id) : undefined;
    if (seen) return seen;
    const p = PeerIdentity.parse(algorithm, hostId);
    if (p && id !== undefined) {
      if (RECENT_PEERS.size >= 256) RECENT_PEERS.delete(RECENT_PEERS.keys().next().value as string);
      RECENT_PEERS.set(id, p);
    }
    return p;
  }

  private static parse(algorithm: number, hostId: Uint8Array): PeerIdentity | undefined {
    const parsed = parseHostId(algorithm, hostId);
    if (!parsed) return undefined;
    const { s, pub } = parsed;
    try {
      if (!s.validPublic(pub)) return undefined;
    } catch {
      return undefined;
    }
    const hit = hitFromHostId(s.hitSuite, hostId);
    return hit ? new PeerIdentity(s, pub, hostId.slice(), hit) : undefined;
  }

  /** Verify a signature over `data` (RFC 7401 §6.4.2 step 4). Never throws. */
  verify(data: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== this.scheme.sigLen) return false;
    try {
      return this.scheme.verify(this.publicKey, data, signature);
    } catch {
      return false;
    }
  }

  /** The key as a crypto provider takes it (src/core/crypto); undefined for RSA (bigint code
   * here, no provider). One object per identity: providers cache imported keys by its arrays. */
  get providerKey(): PublicKeyRef | undefined {
    const alg = SIG_ALG[this.scheme.name];
    if (!alg) return undefined;
    this.#providerKey ??= { alg, pub: this.publicKey };
    return this.#providerKey;
  }
  #providerKey: PublicKeyRef | undefined;

  /** Signature length in bytes. */
  get signatureLength(): number {
    return this.scheme.sigLen;
  }

  /** True when `other` has the same algorithm and Host Identity. */
  sameAs(other: PeerIdentity): boolean {
    return this.algorithm === other.algorithm && equalBytes(this.hostId, other.hostId);
  }
}

/** A local host identity: the key pair, its HI encoding and HIT. The secret never leaves
 * except through `exportSecretKey()` (keyfiles). */
export class HostIdentity extends PeerIdentity {
  readonly #secret: Uint8Array;

  private constructor(s: Scheme, secret: Uint8Array, pub: Uint8Array, hostId: Uint8Array, hit: Uint8Array) {
    super(s, pub, hostId, hit);
    this.#secret = secret;
  }

  /** Generate a new identity from Rng bytes. `curve`: "P-256" (default), "P-384", "Ed25519";
   * a number means an ECDSA curve label. RSA: `generateRsaIdentity` (runtime/rsa-keygen.ts). */
  static generate(rng: Rng, curve: CurveName | number = "P-256"): HostIdentity {
    const s = schemeOf(curve);
    if (!s) throw new Error(`unsupported curve ${curve}`);
    const seed = rng.fill(new Uint8Array(s.seedLen));
    const secret = s.secretFromSeed(seed);
    seed.fill(0);
    const id = HostIdentity.fromSecretKey(secret, s.name)!;
    secret.fill(0);
    return id;
  }

  /** Rebuild an identity from its private key (ECDSA scalar / Ed25519 32-byte seed / RSA
   * fields as rsa.ts encodeRsaSecret);
   * undefined if the key is invalid. */
  static fromSecretKey(secret: Uint8Array, curve: CurveName | number): HostIdentity | undefined {
    let s = schemeOf(curve);
    let pub: Uint8Array;
    try {
      if (curve === "RSA") {
        pub = rsaScheme(0).publicFromSecret(secret);
        s = rsaScheme(rsaModulusBytes(pub));
      } else {
        if (!s || secret.length !== s.secretLen) return undefined;
        pub = s.publicFromSecret(secret);
      }
    } catch {
      return undefined;
    }
    if (!s) return undefined;
    const hostId = s.hostIdOf(pub);
    const hit = hitFromHostId(s.hitSuite, hostId)!;
    return new HostIdentity(s, secret.slice(), pub, hostId, hit);
  }

  /** Sign `data`: deterministic ECDSA r | s (RFC 6979) or Ed25519 (RFC 8032). */
  sign(data: Uint8Array): Uint8Array {
    return this.scheme.sign(this.#secret, data);
  }

  /** The private key for a crypto provider (crypto jobs, src/hip/crypto-jobs.ts); undefined for
   * RSA. Not a copy: providers cache the imported key by this array. Never log it. */
  get signingKey(): PrivateKeyRef | undefined {
    const pub = this.providerKey;
    if (!pub) return undefined;
    this.#signingKey ??= { ...pub, secret: this.#secret };
    return this.#signingKey;
  }
  #signingKey: PrivateKeyRef | undefined;

  /** The private key (ECDSA big-endian scalar / Ed25519 seed). Only for keyfiles; never log it. */
  exportSecretKey(): Uint8Array {
    return this.#secret.slice();
  }

  /** The public half alone. */
  toPeer(): PeerIdentity {
    return PeerIdentity.fromHostId(this.algorithm, this.hostId)!;
  }

  /** Keep secrets out of console.log / JSON. */
  toJSON(): {
    /** HI algorithm. */
    algorithm: number;
    /** Key type. */
    curve: CurveName;
    /** HIT (hex). */
    hit: string;
  } {
    return { algorithm: this.algorithm, curve: this.curveName, hit: Array.from(this.hit, (b) => b.toString(16).padStart(2, "0")).join("") };
  }
}
