// Parameters whose value is mostly opaque bytes: ENCRYPTED (RFC 7401 §5.2.18), CERT (RFC 8002 §2),
// NOTIFICATION (§5.2.19), ECHO_* (§5.2.20-§5.2.23), HIP_MAC/HIP_MAC_2 (§5.2.12-§5.2.13),
// HIP_SIGNATURE/_2 (§5.2.14-§5.2.15), the draft's HMAC (§6.1.1.2) and our ESP_DATAGRAM.
import { ok, type Result } from "../error.ts";
import { badLength, put16, u16 } from "./codec.ts";
import { carve } from "../../core/slab.ts";

/** ENCRYPTED: Reserved(4) then IV (length set by the HIP_CIPHER) and the encrypted data. */
export interface EncryptedParam {
  kind: "ENCRYPTED";
  /** IV followed by the ciphertext; the HIP layer splits it by cipher. */
  ivAndData: Uint8Array;
}
export function parseEncrypted(v: Uint8Array, offset: number): Result<EncryptedParam> {
  if (v.length < 4) return badLength("ENCRYPTED", offset, v.length, "at least 4");
  return ok({ kind: "ENCRYPTED", ivAndData: carve(v, 4) });
}
export function emitEncrypted(p: EncryptedParam): Uint8Array {
  const b = new Uint8Array(4 + p.ivAndData.length);
  b.set(p.ivAndData, 4);
  return b;
}

/** CERT: Cert group(1) Cert count(1) Cert ID(1) Cert type(1) Certificate. */
export interface CertParam {
  kind: "CERT";
  group: number;
  count: number;
  id: number;
  certType: number;
  certificate: Uint8Array;
}
export function parseCert(v: Uint8Array, offset: number): Result<CertParam> {
  if (v.length < 4) return badLength("CERT", offset, v.length, "at least 4");
  return ok({ kind: "CERT", group: v[0], count: v[1], id: v[2], certType: v[3], certificate: carve(v, 4) });
}
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
  kind: "NOTIFICATION";
  notifyType: number;
  data: Uint8Array;
}
export function parseNotification(v: Uint8Array, offset: number): Result<NotificationParam> {
  if (v.length < 4) return badLength("NOTIFICATION", offset, v.length, "at least 4");
  return ok({ kind: "NOTIFICATION", notifyType: u16(v, 2), data: carve(v, 4) });
}
export function emitNotification(p: NotificationParam): Uint8Array {
  const b = new Uint8Array(4 + p.data.length);
  put16(b, 2, p.notifyType);
  b.set(p.data, 4);
  return b;
}

export type EchoKind = "ECHO_REQUEST_SIGNED" | "ECHO_RESPONSE_SIGNED" | "ECHO_REQUEST_UNSIGNED" | "ECHO_RESPONSE_UNSIGNED";
/** ECHO_REQUEST/RESPONSE, signed and unsigned: opaque data. */
export interface EchoParam {
  kind: EchoKind;
  data: Uint8Array;
}
export function echoCodec(kind: EchoKind) {
  return {
    parse(v: Uint8Array, _offset: number): Result<EchoParam> {
      return ok({ kind, data: carve(v) });
    },
    emit(p: EchoParam): Uint8Array {
      return p.data.slice();
    },
  };
}

/** HIP_MAC / HIP_MAC_2: the MAC bytes (length per the negotiated RHASH). */
export interface HipMacParam {
  kind: "HIP_MAC" | "HIP_MAC_2";
  mac: Uint8Array;
}
export function macCodec(kind: "HIP_MAC" | "HIP_MAC_2") {
  return {
    parse(v: Uint8Array, offset: number): Result<HipMacParam> {
      if (v.length === 0) return badLength(kind, offset, 0, "at least 1");
      return ok({ kind, mac: carve(v) });
    },
    emit(p: HipMacParam): Uint8Array {
      return p.mac.slice();
    },
  };
}

/** HIP_SIGNATURE / HIP_SIGNATURE_2: SIG alg(2) Signature. */
export interface HipSignatureParam {
  kind: "HIP_SIGNATURE" | "HIP_SIGNATURE_2";
  algorithm: number;
  signature: Uint8Array;
}
export function signatureCodec(kind: "HIP_SIGNATURE" | "HIP_SIGNATURE_2") {
  return {
    parse(v: Uint8Array, offset: number): Result<HipSignatureParam> {
      if (v.length < 3) return badLength(kind, offset, v.length, "at least 3");
      return ok({ kind, algorithm: u16(v, 0), signature: carve(v, 2) });
    },
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
  kind: "HMAC";
  hmac: Uint8Array;
}
export function parseHmac(v: Uint8Array, offset: number): Result<HmacParam> {
  if (v.length !== 20) return badLength("HMAC", offset, v.length, "20");
  return ok({ kind: "HMAC", hmac: carve(v) });
}
export function emitHmac(p: HmacParam): Uint8Array {
  if (p.hmac.length !== 20) throw new RangeError("HMAC must be 20 bytes");
  return p.hmac.slice();
}

/** ESP_DATAGRAM (ours, 41448): one complete ESP packet (SPI first), draft §6.1.1. */
export interface EspDatagramParam {
  kind: "ESP_DATAGRAM";
  datagram: Uint8Array;
}
export function parseEspDatagram(v: Uint8Array, offset: number): Result<EspDatagramParam> {
  if (v.length < 8) return badLength("ESP_DATAGRAM", offset, v.length, "at least 8 (SPI + Sequence Number)");
  return ok({ kind: "ESP_DATAGRAM", datagram: carve(v) });
}
export function emitEspDatagram(p: EspDatagramParam): Uint8Array {
  return p.datagram.slice();
}
