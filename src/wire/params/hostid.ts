// HOST_ID (RFC 7401 §5.2.9):
//  | HI Length(2) | DI-Type(4 bits) DI Length(12 bits) | Algorithm(2) | Host Identity | Domain Identifier |
// HI Length counts the Host Identity only (not Algorithm). For ECDSA/EdDSA the Host Identity is
// ECC Curve(2) | Public Key (RFC 7401 §5.2.9.1), so HI Length = 2 + key length.
import { err, ok, type Result, WireErrorCode as E } from "../error.ts";
import { badLength, put16, u16 } from "./codec.ts";
import { carve } from "../../core/slab.ts";

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

/** Parse a HOST_ID value (`v`: the value bytes; `offset`: its position in the packet, for errors). */
export function parseHostId(v: Uint8Array, offset: number): Result<HostIdParam> {
  if (v.length < 6) return badLength("HOST_ID", offset, v.length, "at least 6");
  const hiLen = u16(v, 0);
  const diType = v[2] >> 4;
  const diLen = u16(v, 2) & 0xfff;
  if (v.length !== 6 + hiLen + diLen) return badLength("HOST_ID", offset, v.length, `6 + HI Length (${hiLen}) + DI Length (${diLen})`);
  return ok({
    kind: "HOST_ID",
    algorithm: u16(v, 4),
    hostIdentity: carve(v, 6, 6 + hiLen),
    diType,
    domainIdentifier: carve(v, 6 + hiLen),
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
