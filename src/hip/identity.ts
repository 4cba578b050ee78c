// Host identities (RFC 7401 §3, §5.2.9): ECDSA over NIST P-256 / P-384 (HI algorithm 7,
// ECC curve 1 / 2). The Host Identity field is `ECC Curve (2 bytes) | Public Key`, the
// public key an RFC 6090 octet string: x | y, each coordinate padded to the field size
// (no 0x04 prefix; the same representation RFC 5903 §7 uses for ECP public values).
// Signatures are RFC 6090 / RFC 4754 style r | s, the message hashed with SHA-256 (P-256)
// or SHA-384 (P-384) as RFC 4754 pairs them. Key generation draws from an injected Rng.
import { p256, p384 } from "@noble/curves/nist.js";
import { concat, equalBytes } from "../core/bytes.ts";
import type { Rng } from "../core/types.ts";
import { hitFromHostId } from "./hit.ts";

/** HI algorithm ECDSA (RFC 7401 §5.2.9). */
export const HI_ECDSA = 7;
/** ECC curve labels for ECDSA HIs (RFC 7401 §5.2.9). */
export const CURVE_P256 = 1;
export const CURVE_P384 = 2;
/** HIT suite ECDSA/SHA-384 (RFC 7401 §5.2.10), used for both curves. */
export const HIT_SUITE_ECDSA_SHA384 = 2;

type Ecdsa = typeof p256;

interface CurveInfo {
  readonly curve: number;
  readonly name: "P-256" | "P-384";
  readonly ecdsa: Ecdsa;
  /** Field / scalar size in bytes. */
  readonly size: number;
}

const CURVES: readonly CurveInfo[] = [
  { curve: CURVE_P256, name: "P-256", ecdsa: p256, size: 32 },
  { curve: CURVE_P384, name: "P-384", ecdsa: p384, size: 48 },
];

export type CurveName = "P-256" | "P-384";

function curveInfo(curve: number | CurveName): CurveInfo | undefined {
  return CURVES.find((c) => c.curve === curve || c.name === curve);
}

/** The public half of a host identity: what HOST_ID carries and what verifies signatures. */
export class PeerIdentity {
  /** HI algorithm (7 = ECDSA). */
  readonly algorithm = HI_ECDSA;
  /** HIT suite the HIT is computed with (2 = ECDSA/SHA-384). */
  readonly hitSuite = HIT_SUITE_ECDSA_SHA384;

  protected constructor(
    protected readonly info: CurveInfo,
    /** x | y, uncompressed without prefix. */
    readonly publicKey: Uint8Array,
    /** The Host Identity field of HOST_ID: curve (2 bytes) | public key. */
    readonly hostId: Uint8Array,
    readonly hit: Uint8Array,
  ) {}

  /** ECC curve label (1 = P-256, 2 = P-384). */
  get curve(): number {
    return this.info.curve;
  }

  get curveName(): CurveName {
    return this.info.name;
  }

  /** Parse a Host Identity field for `algorithm`; undefined if unsupported or not on the curve. */
  static fromHostId(algorithm: number, hostId: Uint8Array): PeerIdentity | undefined {
    if (algorithm !== HI_ECDSA || hostId.length < 2) return undefined;
    const info = curveInfo((hostId[0] << 8) | hostId[1]);
    if (!info || hostId.length !== 2 + 2 * info.size) return undefined;
    const pub = hostId.slice(2);
    try {
      info.ecdsa.Point.fromBytes(concat(new Uint8Array([4]), pub)).assertValidity();
    } catch {
      return undefined;
    }
    const hit = hitFromHostId(HIT_SUITE_ECDSA_SHA384, hostId);
    return hit ? new PeerIdentity(info, pub, hostId.slice(), hit) : undefined;
  }

  /** Verify an r | s signature over `data` (RFC 7401 §6.4.2 step 4). Never throws. */
  verify(data: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== 2 * this.info.size) return false;
    try {
      const pub = concat(new Uint8Array([4]), this.publicKey);
      return this.info.ecdsa.verify(signature, data, pub, { lowS: false, prehash: true });
    } catch {
      return false;
    }
  }

  /** Signature length in bytes. */
  get signatureLength(): number {
    return 2 * this.info.size;
  }

  sameAs(other: PeerIdentity): boolean {
    return this.algorithm === other.algorithm && equalBytes(this.hostId, other.hostId);
  }
}

/** A local host identity: the key pair, its HI encoding and HIT. The secret never leaves
 * except through `exportSecretKey()` (keyfiles). */
export class HostIdentity extends PeerIdentity {
  readonly #secret: Uint8Array;

  private constructor(info: CurveInfo, secret: Uint8Array, pub: Uint8Array, hostId: Uint8Array, hit: Uint8Array) {
    super(info, pub, hostId, hit);
    this.#secret = secret;
  }

  /** Generate a new identity; the private scalar is derived from Rng bytes (FIPS 186 style reduction). */
  static generate(rng: Rng, curve: CurveName | number = "P-256"): HostIdentity {
    const info = curveInfo(curve);
    if (!info) throw new Error(`unsupported ECDSA curve ${curve}`);
    const seed = rng.fill(new Uint8Array(info.ecdsa.lengths.seed ?? info.size + 16));
    const secret = info.ecdsa.utils.randomSecretKey(seed);
    seed.fill(0);
    return HostIdentity.fromSecretKey(secret, info.curve)!;
  }

  /** Rebuild an identity from its private scalar; undefined if the scalar is invalid. */
  static fromSecretKey(secret: Uint8Array, curve: CurveName | number): HostIdentity | undefined {
    const info = curveInfo(curve);
    if (!info || secret.length !== info.size) return undefined;
    let full: Uint8Array;
    try {
      full = info.ecdsa.getPublicKey(secret, false);
    } catch {
      return undefined;
    }
    const pub = full.slice(1);
    const hostId = concat(new Uint8Array([info.curve >> 8, info.curve & 0xff]), pub);
    const hit = hitFromHostId(HIT_SUITE_ECDSA_SHA384, hostId)!;
    return new HostIdentity(info, secret.slice(), pub, hostId, hit);
  }

  /** Sign `data` (deterministic ECDSA, RFC 6979): r | s. */
  sign(data: Uint8Array): Uint8Array {
    return this.info.ecdsa.sign(data, this.#secret, { prehash: true, lowS: true });
  }

  /** The private scalar (big-endian). Only for keyfiles; never log it. */
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
