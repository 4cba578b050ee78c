// ECDSA host identity (RFC 7401 §5.2.9 HI algorithm 7 = ECDSA; ECC Curve 1 = NIST P-256,
// 2 = NIST P-384). Host Identity field = ECC Curve (2 octets) | x | y (no SEC1 0x04 prefix);
// received, curve | 0x04 | x | y is accepted too (what cutehip and HIPL send).
// Signatures (§5.2.14): ECDSA as in RFC 4754 (which RFC 7401 cites for ECDSA): the hash matches
// the curve (P-256 → SHA-256, P-384 → SHA-384) and the signature is r | s (RFC 4754 §7).
import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { concat, rd16, u16 } from "./bytes.ts";
import { hitFromHi } from "./orchid.ts";

export const HI_ALG_ECDSA = 7;
const CURVES: Record<number, { name: string; size: number; hash: string }> = {
  1: { name: "P-256", size: 32, hash: "sha256" },
  2: { name: "P-384", size: 48, hash: "sha384" },
};

function b64u(b: Uint8Array): string {
  return Buffer.from(b).toString("base64url");
}

export class PeerId {
  constructor(
    readonly curve: number,
    readonly hi: Uint8Array,
    readonly hit: Uint8Array,
    protected readonly pub: KeyObject,
  ) {}

  /** Parse a Host Identity field (curve | x | y); undefined when malformed or off-curve. */
  static fromHi(hi: Uint8Array): PeerId | undefined {
    if (hi.length < 2) return undefined;
    const curve = rd16(hi, 0);
    const c = CURVES[curve];
    if (!c) return undefined;
    const o = hi.length === 3 + 2 * c.size && hi[2] === 4 ? 3 : 2;
    if (hi.length !== o + 2 * c.size) return undefined;
    try {
      const key = createPublicKey({
        key: { kty: "EC", crv: c.name, x: b64u(hi.subarray(o, o + c.size)), y: b64u(hi.subarray(o + c.size)) },
        format: "jwk",
      });
      return new PeerId(curve, hi.slice(), hitFromHi(hi), key);
    } catch {
      return undefined;
    }
  }

  /** The curve's RFC 4754 hash, or SHA-384 (the hash of HIT suite 2 ECDSA/SHA-384). */
  verify(data: Uint8Array, sig: Uint8Array): boolean {
    try {
      const key = { key: this.pub, dsaEncoding: "ieee-p1363" as const };
      return verify(CURVES[this.curve].hash, data, key, sig) || verify("sha384", data, key, sig);
    } catch {
      return false;
    }
  }

  get sigLen(): number {
    return 2 * CURVES[this.curve].size;
  }
}

export class LocalId extends PeerId {
  private constructor(
    curve: number,
    hi: Uint8Array,
    pub: KeyObject,
    private readonly priv: KeyObject,
  ) {
    super(curve, hi, hitFromHi(hi), pub);
  }

  static generate(curve = 1): LocalId {
    const c = CURVES[curve];
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: c.name });
    const jwk = publicKey.export({ format: "jwk" });
    const x = new Uint8Array(Buffer.from(jwk.x!, "base64url"));
    const y = new Uint8Array(Buffer.from(jwk.y!, "base64url"));
    return new LocalId(curve, concat(u16(curve), x, y), publicKey, privateKey);
  }

  /** Deterministic test identity from a private scalar (hex). */
  static fromScalar(curve: number, dHex: string): LocalId {
    const c = CURVES[curve];
    const d = Buffer.from(dHex.padStart(2 * c.size, "0"), "hex");
    const e = createECDH(c.name === "P-256" ? "prime256v1" : "secp384r1");
    e.setPrivateKey(d);
    const point = new Uint8Array(e.getPublicKey());
    const x = point.subarray(1, 1 + c.size);
    const y = point.subarray(1 + c.size);
    const priv = createPrivateKey({ key: { kty: "EC", crv: c.name, d: b64u(d), x: b64u(x), y: b64u(y) }, format: "jwk" });
    const pub = createPublicKey(priv);
    return new LocalId(curve, concat(u16(curve), x, y), pub, priv);
  }

  sign(data: Uint8Array): Uint8Array {
    return new Uint8Array(sign(CURVES[this.curve].hash, data, { key: this.priv, dsaEncoding: "ieee-p1363" }));
  }
}

