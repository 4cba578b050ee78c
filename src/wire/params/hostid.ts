// HOST_ID (RFC 7401 §5.2.9):
//  | HI Length(2) | DI-Type(4 bits) DI Length(12 bits) | Algorithm(2) | Host Identity | Domain Identifier |
// HI Length counts the Host Identity only (not Algorithm). For ECDSA/EdDSA the Host Identity is
// ECC Curve(2) | Public Key (RFC 7401 §5.2.9.1), so HI Length = 2 + key length.
import { err, ok, type Result, WireErrorCode as E } from "../error.ts";
import { badLength, put16, u16 } from "./codec.ts";
import { carve } from "../../core/slab.ts";

/** The empty Domain Identifier (shared: a zero-length view holds nothing to mutate). */
const EMPTY = new Uint8Array(0);

/** HOST_ID (RFC 7401 §5.2.9): HI Length(2) DI-Type(4 bits) DI Length(12 bits) Algorithm(2) HI DI. */
export interface HostIdParam {
  /** Parameter name (discriminant). */
  kind: "HOST_ID";
  /** HI algorithm (`HiAlgorithm`). */
  algorithm: number;
  /** The Host Identity bytes (for ECDSA: curve(2) + public key). */
  hostIdentity: Uint8Array;
  /** DI-type (`DiType`). */
  diType: number;
  /** Domain Identifier bytes (empty when DI-type is NONE). */
  domainIdentifier: Uint8Array;
}

/** Parse a HOST_ID value (`n` bytes of `b` at `o`; errors at `o`-based offsets). */
export function parseHostId(b: Uint8Array, o: number, n: number): Result<HostIdParam> {
  if (n < 6) return badLength("HOST_ID", o, n, "at least 6");
  const hiLen = u16(b, o);
  const diType = b[o + 2] >> 4;
  const diLen = u16(b, o + 2) & 0xfff;
  if (n !== 6 + hiLen + diLen) return badLength("HOST_ID", o, n, `6 + HI Length (${hiLen}) + DI Length (${diLen})`);
  return ok({
    kind: "HOST_ID",
    algorithm: u16(b, o + 4),
    hostIdentity: carve(b, o + 6, o + 6 + hiLen),
    diType,
    domainIdentifier: diLen === 0 ? EMPTY : carve(b, o + 6 + hiLen, o + n),
  });
}

/** The HOST_ID value bytes; throws RangeError for a Domain Identifier over 4095 bytes. */
export function emitHostId(p: HostIdParam): Uint8Array {
  const hi = p.hostIdentity;
  const di = p.domainIdentifier;
  if (di.length > 0xfff) throw new RangeError("HOST_ID: Domain Identifier longer than 4095 bytes");
  const b = new Uint8Array(6 + hi.length + di.length);
  put16(b, 0, hi.length);
  put16(b, 2, ((p.diType & 0xf) << 12) | di.length);
  put16(b, 4, p.algorithm);
  b.set(hi, 6);
  b.set(di, 6 + hi.length);
  return b;
}

/** ECDSA / EdDSA Host Identity: ECC Curve(2) | Public Key. */
export function encodeEcHostIdentity(curve: number, publicKey: Uint8Array): Uint8Array {
  const b = new Uint8Array(2 + publicKey.length);
  put16(b, 0, curve);
  b.set(publicKey, 2);
  return b;
}

/** Split an ECDSA / EdDSA Host Identity into curve and public key (`offset`: for errors). */
export function decodeEcHostIdentity(hi: Uint8Array, offset = 0): Result<{
  /** ECC Curve (`EcdsaCurve` or `EddsaCurve`). */
  curve: number;
  /** The public key bytes. */
  publicKey: Uint8Array;
}> {
  if (hi.length < 3) return err(E.PARAM_VALUE, offset, "HOST_ID: EC Host Identity shorter than 3 bytes", "HOST_ID");
  return ok({ curve: u16(hi, 0), publicKey: carve(hi, 2) });
}
