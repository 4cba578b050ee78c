// Algorithm negotiation parameters: DH_GROUP_LIST (RFC 7401 §5.2.6), DIFFIE_HELLMAN (§5.2.7),
// HIP_CIPHER (§5.2.8), HIT_SUITE_LIST (§5.2.10), TRANSPORT_FORMAT_LIST (§5.2.11),
// ESP_TRANSFORM (RFC 7402 §5.1.2).
import { ok, type Result } from "../error.ts";
import { badLength, emitList, parseList, put16, u16 } from "./codec.ts";
import { carve } from "../../core/slab.ts";

/** DH_GROUP_LIST: DH Group ID(1) × n, in preference order. */
export interface DhGroupListParam {
  /** Parameter name (discriminant). */
  kind: "DH_GROUP_LIST";
  /** DH Group IDs in preference order (`DhGroup`). */
  groups: number[];
}
/** Parse a DH_GROUP_LIST value (`v`: the value bytes; `offset`: its position in the packet, for errors). */
export function parseDhGroupList(b: Uint8Array, o: number, n: number): Result<DhGroupListParam> {
  const r = parseList("DH_GROUP_LIST", b, o, n, 1);
  return r.ok ? ok({ kind: "DH_GROUP_LIST", groups: r.value }) : r;
}
/** The DH_GROUP_LIST value bytes. */
export function emitDhGroupList(p: DhGroupListParam): Uint8Array {
  return emitList(p.groups, 1);
}

/** DIFFIE_HELLMAN: Group ID(1) Public Value Length(2) Public Value. For NIST curves the public
 * value is x | y without a 0x04 prefix (RFC 5903 §7, as RFC 7401 §5.2.7 cites it; 64 bytes for
 * P-256), see src/hip/dh.ts. (A HOST_ID's ECDSA key does carry 0x04: src/hip/identity.ts.) */
export interface DiffieHellmanParam {
  /** Parameter name (discriminant). */
  kind: "DIFFIE_HELLMAN";
  /** DH Group ID (`DhGroup`). */
  groupId: number;
  /** The public value. */
  publicValue: Uint8Array;
}
/** Parse a DIFFIE_HELLMAN value (`offset`: its position, for errors). */
export function parseDiffieHellman(b: Uint8Array, o: number, n: number): Result<DiffieHellmanParam> {
  if (n < 3) return badLength("DIFFIE_HELLMAN", o, n, "at least 3");
  const len = u16(b, o + 1);
  if (n !== 3 + len) return badLength("DIFFIE_HELLMAN", o, n, `3 + Public Value Length (${len})`);
  return ok({ kind: "DIFFIE_HELLMAN", groupId: b[o], publicValue: carve(b, o + 3, o + n) });
}
/** The DIFFIE_HELLMAN value bytes. */
export function emitDiffieHellman(p: DiffieHellmanParam): Uint8Array {
  const b = new Uint8Array(3 + p.publicValue.length);
  b[0] = p.groupId;
  put16(b, 1, p.publicValue.length);
  b.set(p.publicValue, 3);
  return b;
}

/** HIP_CIPHER: Cipher ID(2) × n. */
export interface HipCipherParam {
  /** Parameter name (discriminant). */
  kind: "HIP_CIPHER";
  /** HIP_CIPHER IDs in preference order (`HipCipher`). */
  ciphers: number[];
}
/** Parse a HIP_CIPHER value (`offset`: its position, for errors). */
export function parseHipCipher(b: Uint8Array, o: number, n: number): Result<HipCipherParam> {
  const r = parseList("HIP_CIPHER", b, o, n, 2);
  return r.ok ? ok({ kind: "HIP_CIPHER", ciphers: r.value }) : r;
}
/** The HIP_CIPHER value bytes. */
export function emitHipCipher(p: HipCipherParam): Uint8Array {
  return emitList(p.ciphers, 2);
}

/** HIT_SUITE_LIST: one byte per suite; the 4-bit HIT Suite ID sits in the upper 4 bits
 * (RFC 7401 §5.2.10). `suites` holds the 4-bit IDs; lower bits are ignored on receipt. */
export interface HitSuiteListParam {
  /** Parameter name (discriminant). */
  kind: "HIT_SUITE_LIST";
  /** HIT suite IDs in preference order (`HitSuite`). */
  suites: number[];
}
/** Parse a HIT_SUITE_LIST value (`offset`: its position, for errors). */
export function parseHitSuiteList(b: Uint8Array, o: number, n: number): Result<HitSuiteListParam> {
  const r = parseList("HIT_SUITE_LIST", b, o, n, 1, 1, 4);
  return r.ok ? ok({ kind: "HIT_SUITE_LIST", suites: r.value }) : r;
}
/** The HIT_SUITE_LIST value bytes (one suite per upper nibble). */
export function emitHitSuiteList(p: HitSuiteListParam): Uint8Array {
  return emitList(
    p.suites.map((s) => (s & 0xf) << 4),
    1,
  );
}

/** TRANSPORT_FORMAT_LIST: TF type(2) × n = parameter types of the transport formats (ESP_TRANSFORM 4095). */
export interface TransportFormatListParam {
  /** Parameter name (discriminant). */
  kind: "TRANSPORT_FORMAT_LIST";
  /** Transport formats in preference order (parameter types, e.g. ESP_TRANSFORM). */
  formats: number[];
}
/** Parse a TRANSPORT_FORMAT_LIST value (`offset`: its position, for errors). */
export function parseTransportFormatList(b: Uint8Array, o: number, n: number): Result<TransportFormatListParam> {
  const r = parseList("TRANSPORT_FORMAT_LIST", b, o, n, 2);
  return r.ok ? ok({ kind: "TRANSPORT_FORMAT_LIST", formats: r.value }) : r;
}
/** The TRANSPORT_FORMAT_LIST value bytes. */
export function emitTransportFormatList(p: TransportFormatListParam): Uint8Array {
  return emitList(p.formats, 2);
}

/** ESP_TRANSFORM: Reserved(2) Suite ID(2) × n (RFC 7402 §5.1.2). */
export interface EspTransformParam {
  /** Parameter name (discriminant). */
  kind: "ESP_TRANSFORM";
  /** ESP suite IDs in preference order (`EspSuite`). */
  suites: number[];
}
/** Parse an ESP_TRANSFORM value (`offset`: its position, for errors). */
export function parseEspTransform(b: Uint8Array, o: number, n: number): Result<EspTransformParam> {
  if (n < 4 || n % 2 !== 0) return badLength("ESP_TRANSFORM", o, n, "2 + 2n, n >= 1");
  const r = parseList("ESP_TRANSFORM", b, o + 2, n - 2, 2);
  return r.ok ? ok({ kind: "ESP_TRANSFORM", suites: r.value }) : r;
}
/** The ESP_TRANSFORM value bytes. */
export function emitEspTransform(p: EspTransformParam): Uint8Array {
  return emitList(p.suites, 2, 2);
}
