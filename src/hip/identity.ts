// Host identities (RFC 7401 §3, §5.2.9; RFC 9374 §3.4):
// - ECDSA (HI algorithm 7) over NIST P-256 / P-384 (ECC curve 1 / 2). Host Identity field =
//   `ECC Curve (2 bytes) | Public Key`, the public key an RFC 6090 octet string x | y, each
//   coordinate padded to the field size (no 0x04 prefix, as RFC 5903 §7 writes ECP values).
//   Signatures are r | s, the message hashed with SHA-256 (P-256) / SHA-384 (P-384) (RFC 4754).
//   HIT suite 2 (ECDSA/SHA-384).
// - EdDSA (HI algorithm 13) over Ed25519 (EdDSA curve 1, RFC 9374 §3.4.1.1). Host Identity
//   field = `EdDSA Curve (2 bytes) | Public Key`, the 32-byte RFC 8032 §5.1.5 encoding.
//   Signatures are pure Ed25519 (RFC 8032 §5.1.6, 64 bytes, no pre-hash). HIT suite 5
//   (EdDSA/cSHAKE128, RFC 9374 §3.4.2).
// HIP_SIGNATURE's SIG alg carries the HI algorithm (RFC 7401 §5.2.14). Key generation draws
// from an injected Rng (sans-I/O).
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256, p384 } from "@noble/curves/nist.js";
import { concat, equalBytes } from "../core/bytes.ts";
import type { Rng } from "../core/types.ts";
import { hitFromHostId } from "./hit.ts";

/** HI algorithms (RFC 7401 §5.2.9; RFC 9374 §3.4.1 Table 4). */
export const HI_ECDSA = 7;
export const HI_EDDSA = 13;
/** ECC curve labels for ECDSA HIs (RFC 7401 §5.2.9). */
export const CURVE_P256 = 1;
export const CURVE_P384 = 2;
/** EdDSA curve label for EdDSA HIs (RFC 9374 §3.4.1.1 Table 5). */
export const EDDSA_CURVE_ED25519 = 1;
/** HIT suites (RFC 7401 §5.2.10; RFC 9374 §3.4.2 Table 6). */
export const HIT_SUITE_ECDSA_SHA384 = 2;
export const HIT_SUITE_EDDSA_CSHAKE128 = 5;
/** HIT suites of the HIs this implementation can verify: what a Responder lists in R1's
 * HIT_SUITE_LIST (RFC 7401 §5.2.10) and accepts as the Initiator's HIT suite in I2. */
export const SUPPORTED_HIT_SUITES: readonly number[] = [HIT_SUITE_ECDSA_SHA384, HIT_SUITE_EDDSA_CSHAKE128];

export type CurveName = "P-256" | "P-384" | "Ed25519";

/** One HI algorithm + curve: sizes and the primitive operations. */
interface Scheme {
  readonly algorithm: number;
  readonly curve: number;
  readonly name: CurveName;
  readonly hitSuite: number;
  readonly secretLen: number;
  readonly pubLen: number;
  readonly sigLen: number;
  readonly seedLen: number;
  secretFromSeed(seed: Uint8Array): Uint8Array;
  /** The raw public key as carried in the HI; throws on an invalid secret. */
  publicFromSecret(secret: Uint8Array): Uint8Array;
  validPublic(pub: Uint8Array): boolean;
  sign(secret: Uint8Array, data: Uint8Array): Uint8Array;
  verify(pub: Uint8Array, data: Uint8Array, sig: Uint8Array): boolean;
}

function ecdsaScheme(curve: number, name: "P-256" | "P-384", ec: typeof p256, size: number): Scheme {
  const point = (pub: Uint8Array) => concat(new Uint8Array([4]), pub);
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
    publicFromSecret: (secret) => ec.getPublicKey(secret, false).slice(1),
    validPublic: (pub) => {
      ec.Point.fromBytes(point(pub)).assertValidity();
      return true;
    },
    // Deterministic k (RFC 6979); verification accepts high-S signatures.
    sign: (secret, data) => ec.sign(data, secret, { prehash: true, lowS: true }),
    verify: (pub, data, sig) => ec.verify(sig, data, point(pub), { lowS: false, prehash: true }),
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

function hostIdOf(s: Scheme, pub: Uint8Array): Uint8Array {
  return concat(new Uint8Array([s.curve >> 8, s.curve & 0xff]), pub);
}

/** The public half of a host identity: what HOST_ID carries and what verifies signatures. */
export class PeerIdentity {
  protected constructor(
    protected readonly scheme: Scheme,
    /** The raw public key: x | y (ECDSA) or the 32-byte encoding (Ed25519). */
    readonly publicKey: Uint8Array,
    /** The Host Identity field of HOST_ID: curve (2 bytes) | public key. */
    readonly hostId: Uint8Array,
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

  get curveName(): CurveName {
    return this.scheme.name;
  }

  /** Parse a Host Identity field for `algorithm`; undefined if unsupported or not a valid point. */
  static fromHostId(algorithm: number, hostId: Uint8Array): PeerIdentity | undefined {
    if (hostId.length < 2) return undefined;
    const label = (hostId[0] << 8) | hostId[1];
    const s = SCHEMES.find((x) => x.algorithm === algorithm && x.curve === label);
    if (!s || hostId.length !== 2 + s.pubLen) return undefined;
    const pub = hostId.slice(2);
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

  /** Signature length in bytes. */
  get signatureLength(): number {
    return this.scheme.sigLen;
  }

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
   * a number means an ECDSA curve label. */
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

  /** Rebuild an identity from its private key (ECDSA scalar / Ed25519 32-byte seed);
   * undefined if the key is invalid. */
  static fromSecretKey(secret: Uint8Array, curve: CurveName | number): HostIdentity | undefined {
    const s = schemeOf(curve);
    if (!s || secret.length !== s.secretLen) return undefined;
    let pub: Uint8Array;
    try {
      pub = s.publicFromSecret(secret);
    } catch {
      return undefined;
    }
    const hostId = hostIdOf(s, pub);
    const hit = hitFromHostId(s.hitSuite, hostId)!;
    return new HostIdentity(s, secret.slice(), pub, hostId, hit);
  }

  /** Sign `data`: deterministic ECDSA r | s (RFC 6979) or Ed25519 (RFC 8032). */
  sign(data: Uint8Array): Uint8Array {
    return this.scheme.sign(this.#secret, data);
  }

  /** The private key (ECDSA big-endian scalar / Ed25519 seed). Only for keyfiles; never log it. */
  exportSecretKey(): Uint8Array {
    return this.#secret.slice();
  }

  /** The public half alone. */
  toPeer(): PeerIdentity {
    return PeerIdentity.fromHostId(this.algorithm, this.hostId)!;
  }

  /** Keep secrets out of console.log / JSON. */
  toJSON(): { algorithm: number; curve: CurveName; hit: string } {
    return { algorithm: this.algorithm, curve: this.curveName, hit: Array.from(this.hit, (b) => b.toString(16).padStart(2, "0")).join("") };
  }
}
