// One HI algorithm (+ curve / key size): sizes and primitive operations, shared by identity.ts
// and the per-algorithm files (rsa.ts). Secrets are opaque byte strings per scheme.
import type { CurveName } from "./identity.ts";

export interface Scheme {
  readonly algorithm: number;
  /** Curve label (ECDSA, EdDSA); 0 for RSA. */
  readonly curve: number;
  readonly name: CurveName;
  readonly hitSuite: number;
  readonly secretLen: number;
  readonly pubLen: number;
  readonly sigLen: number;
  readonly seedLen: number;
  secretFromSeed(seed: Uint8Array): Uint8Array;
  /** The raw public key (ECDSA x | y, Ed25519 32 bytes, RSA RFC 3110 key); throws on an invalid secret. */
  publicFromSecret(secret: Uint8Array): Uint8Array;
  validPublic(pub: Uint8Array): boolean;
  /** The Host Identity field we send for this public key (RFC 7401 §5.2.9). */
  hostIdOf(pub: Uint8Array): Uint8Array;
  sign(secret: Uint8Array, data: Uint8Array): Uint8Array;
  verify(pub: Uint8Array, data: Uint8Array, sig: Uint8Array): boolean;
}
