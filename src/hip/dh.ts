// Elliptic-curve Diffie-Hellman groups 7 (NIST P-256) and 8 (NIST P-384) (RFC 7401 §5.2.7,
// RFC 5903). Public value = x | y (RFC 5903 §7); Kij = the x-coordinate of the shared point
// (RFC 5903 §7). Private keys come from the injected Rng.
import { p256, p384 } from "@noble/curves/nist.js";
import { concat } from "../core/bytes.ts";
import type { Rng } from "../core/types.ts";

/** DH group ID of NIST P-256 ECDH. */
export const DH_P256 = 7;
/** DH group ID of NIST P-384 ECDH. */
export const DH_P384 = 8;

const GROUPS: Record<number, { curve: typeof p256; size: number }> = {
  [DH_P256]: { curve: p256, size: 32 },
  [DH_P384]: { curve: p384, size: 48 },
};

/** True for the groups implemented here (7, 8). */
export function isSupportedDhGroup(group: number): boolean {
  return GROUPS[group] !== undefined;
}

/** Length of the public value of `group`, or 0 if unsupported. */
export function dhPublicLength(group: number): number {
  const g = GROUPS[group];
  return g ? 2 * g.size : 0;
}

/** Rng bytes a key of `group` is derived from (generateDhKey; crypto jobs draw them first). */
export function dhSeedLength(group: number): number {
  const g = GROUPS[group];
  return g ? (g.curve.lengths.seed ?? g.size + 16) : 0;
}

/** An ephemeral ECDH key pair. */
export interface DhKeyPair {
  /** DH Group ID. */
  readonly group: number;
  /** Public value x | y (RFC 5903 §7). */
  readonly publicValue: Uint8Array;
  /** Private scalar; never logged. */
  readonly secret: Uint8Array;
}

/** A new key pair for `group` from `rng`; throws for an unsupported group. */
export function generateDhKey(rng: Rng, group: number): DhKeyPair {
  const g = GROUPS[group];
  if (!g) throw new Error(`unsupported DH group ${group}`);
  const seed = rng.fill(new Uint8Array(g.curve.lengths.seed ?? g.size + 16));
  const secret = g.curve.utils.randomSecretKey(seed);
  const publicValue = g.curve.getPublicKey(secret, false).slice(1);
  return { group, publicValue, secret };
}

/** Kij from our key pair and the peer's public value; undefined if the value is invalid
 * (not on the curve: RFC 7401 §5.3.2 asks to validate peer public keys). */
export function computeKij(own: DhKeyPair, peerPublic: Uint8Array): Uint8Array | undefined {
  const g = GROUPS[own.group];
  if (!g || peerPublic.length !== 2 * g.size) return undefined;
  try {
    const shared = g.curve.getSharedSecret(own.secret, concat(new Uint8Array([4]), peerPublic), true);
    return shared.slice(1);
  } catch {
    return undefined;
  }
}
