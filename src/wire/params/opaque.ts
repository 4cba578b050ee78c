// Parameters whose value is mostly opaque bytes: ENCRYPTED (RFC 7401 §5.2.18), CERT (RFC 8002 §2),
// NOTIFICATION (§5.2.19), ECHO_* (§5.2.20-§5.2.23), HIP_MAC/HIP_MAC_2 (§5.2.12-§5.2.13),
// HIP_SIGNATURE/_2 (§5.2.14-§5.2.15), the draft's HMAC (§6.1.1.2) and our ESP_DATAGRAM.
import { ok, type Result } from "../error.ts";
import { badLength, put16, u16 } from "./codec.ts";
import { carve } from "../../core/slab.ts";

/** ENCRYPTED: Reserved(4) then IV (length set by the HIP_CIPHER) and the encrypted data. */
export interface EncryptedParam {
  /** Parameter name (discriminant). */
  kind: "ENCRYPTED";
  /** IV followed by the ciphertext; the HIP layer splits it by cipher. */
  ivAndData: Uint8Array;
}
/** Parse an ENCRYPTED value (`n` bytes of `b` at `o`; errors at `o`-based offsets). */
export function parseEncrypted(b: Uint8Array, o: number, n: number): Result<EncryptedParam> {
  if (n < 4) return badLength("ENCRYPTED", o, n, "at least 4");
  return ok({ kind: "ENCRYPTED", ivAndData: carve(b, o + 4, o + n) });
}
/** The ENCRYPTED value bytes (Reserved, IV and data; no TLV header). */
export function emitEncrypted(p: EncryptedParam): Uint8Array {
  const b = new Uint8Array(4 + p.ivAndData.length);
  b.set(p.ivAndData, 4);
  return b;
}

/** CERT: Cert group(1) Cert count(1) Cert ID(1) Cert type(1) Certificate. */
export interface CertParam {
  /** Parameter name (discriminant). */
  kind: "CERT";
  /** Cert group. */
  group: number;
  /** Number of certificates in the group. */
  count: number;
  /** Cert ID (1-based position in the group). */
  id: number;
  /** Cert type (RFC 8002 §2). */
  certType: number;
  /** The certificate bytes. */
  certificate: Uint8Array;
}
/** Parse a CERT value (`n` bytes of `b` at `o`). */
export function parseCert(b: Uint8Array, o: number, n: number): Result<CertParam> {
  if (n < 4) return badLength("CERT", o, n, "at least 4");
  return ok({ kind: "CERT", group: b[o], count: b[o + 1], id: b[o + 2], certType: b[o + 3], certificate: carve(b, o + 4, o + n) });
}
/** The CERT value bytes (no TLV header). */
export function emitCert(p: CertParam): Uint8Array {
  const b = new Uint8Array(4 + p.certificate.length);
  b[0] = p.group;
  b[1] = p.count;
  b[2] = p.id;
  b[3] = p.certType;
  b.set(p.certificate, 4);
  return b;
}

/** NOTIFICATION: Reserved(2) Notify Message Type(2) Notification Data. */
export interface NotificationParam {
  /** Parameter name (discriminant). */
  kind: "NOTIFICATION";
  /** Notify Message Type (`NotifyType`). */
  notifyType: number;
  /** Notification Data. */
  data: Uint8Array;
}
/** Parse a NOTIFICATION value (`n` bytes of `b` at `o`). */
export function parseNotification(b: Uint8Array, o: number, n: number): Result<NotificationParam> {
  if (n < 4) return badLength("NOTIFICATION", o, n, "at least 4");
  return ok({ kind: "NOTIFICATION", notifyType: u16(b, o + 2), data: carve(b, o + 4, o + n) });
}
/** The NOTIFICATION value bytes (no TLV header). */
export function emitNotification(p: NotificationParam): Uint8Array {
  const b = new Uint8Array(4 + p.data.length);
  put16(b, 2, p.notifyType);
  b.set(p.data, 4);
  return b;
}

/** The four ECHO_* parameter names. */
export type EchoKind = "ECHO_REQUEST_SIGNED" | "ECHO_RESPONSE_SIGNED" | "ECHO_REQUEST_UNSIGNED" | "ECHO_RESPONSE_UNSIGNED";
/** ECHO_REQUEST/RESPONSE, signed and unsigned: opaque data. */
export interface EchoParam {
  /** Parameter name (discriminant). */
  kind: EchoKind;
  /** The opaque data echoed back. */
  data: Uint8Array;
}
/** Parse / emit functions for one ECHO_* parameter. */
export function echoCodec(kind: EchoKind) {
  return {
    /** Parse the value (any length: `n` bytes of `b` at `o`). */
    parse(b: Uint8Array, o: number, n: number): Result<EchoParam> {
      return ok({ kind, data: carve(b, o, o + n) });
    },
    /** The value bytes (a copy of `data`). */
    emit(p: EchoParam): Uint8Array {
      return p.data.slice();
    },
  };
}

/** HIP_MAC / HIP_MAC_2: the MAC bytes (length per the negotiated RHASH). */
export interface HipMacParam {
  /** Parameter name (discriminant). */
  kind: "HIP_MAC" | "HIP_MAC_2";
  /** The MAC. */
  mac: Uint8Array;
}
/** Parse / emit functions for HIP_MAC or HIP_MAC_2. */
export function macCodec(kind: "HIP_MAC" | "HIP_MAC_2") {
  return {
    /** Parse the value (at least 1 byte: `n` bytes of `b` at `o`). */
    parse(b: Uint8Array, o: number, n: number): Result<HipMacParam> {
      if (n === 0) return badLength(kind, o, 0, "at least 1");
      return ok({ kind, mac: carve(b, o, o + n) });
    },
    /** The value bytes (a copy of `mac`). */
    emit(p: HipMacParam): Uint8Array {
      return p.mac.slice();
    },
  };
}

/** HIP_SIGNATURE / HIP_SIGNATURE_2: SIG alg(2) Signature. */
export interface HipSignatureParam {
  /** Parameter name (discriminant). */
  kind: "HIP_SIGNATURE" | "HIP_SIGNATURE_2";
  /** SIG alg: an HI algorithm number (`HiAlgorithm`). */
  algorithm: number;
  /** The signature. */
  signature: Uint8Array;
}
/** Parse / emit functions for HIP_SIGNATURE or HIP_SIGNATURE_2. */
export function signatureCodec(kind: "HIP_SIGNATURE" | "HIP_SIGNATURE_2") {
  return {
    /** Parse the value (at least 3 bytes: `n` bytes of `b` at `o`). */
    parse(b: Uint8Array, o: number, n: number): Result<HipSignatureParam> {
      if (n < 3) return badLength(kind, o, n, "at least 3");
      return ok({ kind, algorithm: u16(b, o), signature: carve(b, o + 2, o + n) });
    },
    /** The value bytes (SIG alg then signature). */
    emit(p: HipSignatureParam): Uint8Array {
      const b = new Uint8Array(2 + p.signature.length);
      put16(b, 0, p.algorithm);
      b.set(p.signature, 2);
      return b;
    },
  };
}

/** The draft's HMAC (65532): 20 bytes of HMAC-SHA1 (draft §6.1.1.2, PROFILE §2). */
export interface HmacParam {
  /** Parameter name (discriminant). */
  kind: "HMAC";
  /** The 20-byte HMAC-SHA1. */
  hmac: Uint8Array;
}
/** Parse an HMAC value (exactly 20 bytes: `n` bytes of `b` at `o`). */
export function parseHmac(b: Uint8Array, o: number, n: number): Result<HmacParam> {
  if (n !== 20) return badLength("HMAC", o, n, "20");
  return ok({ kind: "HMAC", hmac: carve(b, o, o + n) });
}
/** The HMAC value bytes; throws RangeError unless `hmac` is 20 bytes. */
export function emitHmac(p: HmacParam): Uint8Array {
  if (p.hmac.length !== 20) throw new RangeError("HMAC must be 20 bytes");
  return p.hmac.slice();
}

/** ESP_DATAGRAM (ours, 41448): one complete ESP packet (SPI first), draft §6.1.1. */
export interface EspDatagramParam {
  /** Parameter name (discriminant). */
  kind: "ESP_DATAGRAM";
  /** The ESP packet (SPI, sequence number, payload, ICV). */
  datagram: Uint8Array;
}
/** Parse an ESP_DATAGRAM value (at least 8 bytes: SPI and sequence number). */
export function parseEspDatagram(b: Uint8Array, o: number, n: number): Result<EspDatagramParam> {
  if (n < 8) return badLength("ESP_DATAGRAM", o, n, "at least 8 (SPI + Sequence Number)");
  return ok({ kind: "ESP_DATAGRAM", datagram: carve(b, o, o + n) });
}
/** The ESP_DATAGRAM value bytes (a copy of `datagram`). */
export function emitEspDatagram(p: EspDatagramParam): Uint8Array {
  return p.datagram.slice();
}
