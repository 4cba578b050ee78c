// Typed parameters: the Param union, one codec per kind, and lookup of a parameter number in
// the context of a packet type (128/129/130 are REA_INFO/AC_INFO/FA_INFO only in the draft's
// packets; 129 elsewhere is R1_COUNTER; PROFILE §2). Unknown numbers stay raw bytes.
import { isMobilityPacket, ParamType } from "../constants.ts";
import { ok, type Result } from "../error.ts";
import { type AckParam, type EspInfoParam, emitAck, emitEspInfo, emitPuzzle, emitR1Counter, emitSeq, emitSolution, type PuzzleParam, parseAck, parseEspInfo, parsePuzzle, parseR1Counter, parseSeq, parseSolution, type R1CounterParam, type SeqParam, type SolutionParam } from "./base.ts";
import { emitHostId, type HostIdParam, parseHostId } from "./hostid.ts";
import { emitLocatorSet, type LocatorSetParam, parseLocatorSet } from "./locator.ts";
import { type AcInfoParam, emitAcInfo, emitFaInfo, emitReaInfo, type FaInfoParam, parseAcInfo, parseFaInfo, parseReaInfo, type ReaInfoParam } from "./mobility.ts";
import {
  type DhGroupListParam,
  type DiffieHellmanParam,
  type EspTransformParam,
  emitDhGroupList,
  emitDiffieHellman,
  emitEspTransform,
  emitHipCipher,
  emitHitSuiteList,
  emitTransportFormatList,
  type HipCipherParam,
  type HitSuiteListParam,
  parseDhGroupList,
  parseDiffieHellman,
  parseEspTransform,
  parseHipCipher,
  parseHitSuiteList,
  parseTransportFormatList,
  type TransportFormatListParam,
} from "./negotiation.ts";
import {
  type CertParam,
  type EchoParam,
  type EncryptedParam,
  type EspDatagramParam,
  echoCodec,
  emitCert,
  emitEncrypted,
  emitEspDatagram,
  emitHmac,
  emitNotification,
  type HipMacParam,
  type HipSignatureParam,
  type HmacParam,
  macCodec,
  type NotificationParam,
  parseCert,
  parseEncrypted,
  parseEspDatagram,
  parseHmac,
  parseNotification,
  signatureCodec,
} from "./opaque.ts";

/** A parameter we do not interpret: kept as its value bytes and re-emitted unchanged. */
export interface UnknownParam {
  /** Parameter name (discriminant). */
  kind: "UNKNOWN";
  /** The parameter type number. */
  type: number;
  /** The value bytes. */
  value: Uint8Array;
}

/** Any HIP parameter as plain values, discriminated by `kind`. */
export type Param =
  | EspInfoParam
  | ReaInfoParam
  | R1CounterParam
  | AcInfoParam
  | FaInfoParam
  | LocatorSetParam
  | PuzzleParam
  | SolutionParam
  | SeqParam
  | AckParam
  | DhGroupListParam
  | DiffieHellmanParam
  | HipCipherParam
  | EncryptedParam
  | HostIdParam
  | HitSuiteListParam
  | CertParam
  | NotificationParam
  | EchoParam
  | TransportFormatListParam
  | EspTransformParam
  | EspDatagramParam
  | HipMacParam
  | HipSignatureParam
  | HmacParam
  | UnknownParam;

/** Every parameter name (`kind`), including "UNKNOWN". */
export type ParamKind = Param["kind"];
/** The parameter names this library parses. */
export type KnownParamKind = Exclude<ParamKind, "UNKNOWN">;
/** The parameter type of name `K`. */
export type ParamOf<K extends ParamKind> = Extract<
  Param,
  {
    /** The parameter name. */
    kind: K;
  }
>;

interface Codec {
  type: number;
  /** Parses the value: the `n` bytes of `b` at `o` (errors at `o`-based offsets). */
  parse(b: Uint8Array, o: number, n: number): Result<Param>;
  emit(p: Param): Uint8Array;
}

// biome-ignore lint/suspicious/noExplicitAny: each codec's emit is only called with its own kind
function codec(type: number, parse: (b: Uint8Array, o: number, n: number) => Result<Param>, emit: (p: any) => Uint8Array): Codec {
  return { type, parse, emit };
}

const echo = (k: "ECHO_REQUEST_SIGNED" | "ECHO_RESPONSE_SIGNED" | "ECHO_REQUEST_UNSIGNED" | "ECHO_RESPONSE_UNSIGNED", t: number) => {
  const c = echoCodec(k);
  return codec(t, c.parse, c.emit);
};
const mac = (k: "HIP_MAC" | "HIP_MAC_2", t: number) => {
  const c = macCodec(k);
  return codec(t, c.parse, c.emit);
};
const sig = (k: "HIP_SIGNATURE" | "HIP_SIGNATURE_2", t: number) => {
  const c = signatureCodec(k);
  return codec(t, c.parse, c.emit);
};

/** Codec of each known kind. */
export const PARAM_CODECS: Readonly<Record<KnownParamKind, Codec>> = {
  ESP_INFO: codec(ParamType.ESP_INFO, parseEspInfo, emitEspInfo),
  REA_INFO: codec(ParamType.REA_INFO, parseReaInfo, emitReaInfo),
  R1_COUNTER: codec(ParamType.R1_COUNTER, parseR1Counter, emitR1Counter),
  AC_INFO: codec(ParamType.AC_INFO, parseAcInfo, emitAcInfo),
  FA_INFO: codec(ParamType.FA_INFO, parseFaInfo, emitFaInfo),
  LOCATOR_SET: codec(ParamType.LOCATOR_SET, parseLocatorSet, emitLocatorSet),
  PUZZLE: codec(ParamType.PUZZLE, parsePuzzle, emitPuzzle),
  SOLUTION: codec(ParamType.SOLUTION, parseSolution, emitSolution),
  SEQ: codec(ParamType.SEQ, parseSeq, emitSeq),
  ACK: codec(ParamType.ACK, parseAck, emitAck),
  DH_GROUP_LIST: codec(ParamType.DH_GROUP_LIST, parseDhGroupList, emitDhGroupList),
  DIFFIE_HELLMAN: codec(ParamType.DIFFIE_HELLMAN, parseDiffieHellman, emitDiffieHellman),
  HIP_CIPHER: codec(ParamType.HIP_CIPHER, parseHipCipher, emitHipCipher),
  ENCRYPTED: codec(ParamType.ENCRYPTED, parseEncrypted, emitEncrypted),
  HOST_ID: codec(ParamType.HOST_ID, parseHostId, emitHostId),
  HIT_SUITE_LIST: codec(ParamType.HIT_SUITE_LIST, parseHitSuiteList, emitHitSuiteList),
  CERT: codec(ParamType.CERT, parseCert, emitCert),
  NOTIFICATION: codec(ParamType.NOTIFICATION, parseNotification, emitNotification),
  ECHO_REQUEST_SIGNED: echo("ECHO_REQUEST_SIGNED", ParamType.ECHO_REQUEST_SIGNED),
  ECHO_RESPONSE_SIGNED: echo("ECHO_RESPONSE_SIGNED", ParamType.ECHO_RESPONSE_SIGNED),
  TRANSPORT_FORMAT_LIST: codec(ParamType.TRANSPORT_FORMAT_LIST, parseTransportFormatList, emitTransportFormatList),
  ESP_TRANSFORM: codec(ParamType.ESP_TRANSFORM, parseEspTransform, emitEspTransform),
  ESP_DATAGRAM: codec(ParamType.ESP_DATAGRAM, parseEspDatagram, emitEspDatagram),
  HIP_MAC: mac("HIP_MAC", ParamType.HIP_MAC),
  HIP_MAC_2: mac("HIP_MAC_2", ParamType.HIP_MAC_2),
  HIP_SIGNATURE_2: sig("HIP_SIGNATURE_2", ParamType.HIP_SIGNATURE_2),
  HIP_SIGNATURE: sig("HIP_SIGNATURE", ParamType.HIP_SIGNATURE),
  ECHO_RESPONSE_UNSIGNED: echo("ECHO_RESPONSE_UNSIGNED", ParamType.ECHO_RESPONSE_UNSIGNED),
  ECHO_REQUEST_UNSIGNED: echo("ECHO_REQUEST_UNSIGNED", ParamType.ECHO_REQUEST_UNSIGNED),
  HMAC: codec(ParamType.HMAC, parseHmac, emitHmac),
};

/** Kind and codec of a parameter number, per packet class: one lookup per parsed parameter. */
type Known = { kind: KnownParamKind; codec: Codec };
const BASE_BY_TYPE = new Map<number, Known>();
const MM_BY_TYPE = new Map<number, Known>();
for (const [kind, codec] of Object.entries(PARAM_CODECS) as [KnownParamKind, Codec][]) {
  // 128-130 mean REA_INFO / AC_INFO / FA_INFO only in the draft's own packets (PROFILE §2).
  if (kind !== "REA_INFO" && kind !== "AC_INFO" && kind !== "FA_INFO") BASE_BY_TYPE.set(codec.type, { kind, codec });
  if (kind !== "R1_COUNTER") MM_BY_TYPE.set(codec.type, { kind, codec });
}

function known(packetType: number, type: number): Known | undefined {
  return (isMobilityPacket(packetType) ? MM_BY_TYPE : BASE_BY_TYPE).get(type);
}

/** The kind a parameter number means inside a packet of `packetType`, or undefined if unknown. */
export function paramKind(packetType: number, type: number): KnownParamKind | undefined {
  return known(packetType, type)?.kind;
}

/** Parameter number of a repr. */
export function paramType(p: Param): number {
  return p.kind === "UNKNOWN" ? p.type : PARAM_CODECS[p.kind].type;
}

/** Parses one value (without TLV header/padding); `offset` = value's offset for errors. */
export function parseParam(packetType: number, type: number, value: Uint8Array, offset: number): Result<Param> {
  const r = parseParamAt(packetType, type, value, 0, value.length);
  return r.ok || offset === 0 ? r : { ok: false, error: { ...r.error, offset: r.error.offset + offset } };
}

/** Parses the value in place: the `n` bytes of `b` at `o` (no TLV header), no view made of it;
 * errors carry offsets in `b`. Fields that hold bytes are copies (the packet may be reused). */
export function parseParamAt(packetType: number, type: number, b: Uint8Array, o: number, n: number): Result<Param> {
  const k = known(packetType, type);
  if (k === undefined) return ok({ kind: "UNKNOWN", type, value: b.slice(o, o + n) });
  return k.codec.parse(b, o, n);
}

/** Value bytes of a repr (no TLV header, no padding). */
export function emitParamValue(p: Param): Uint8Array {
  return p.kind === "UNKNOWN" ? p.value.slice() : PARAM_CODECS[p.kind].emit(p);
}

/** Full TLV: Type(2) Length(2) value, zero padding to a multiple of 8 (RFC 7401 §5.2.1). */
export function emitParam(p: Param): Uint8Array {
  const v = emitParamValue(p);
  if (v.length > 0xffff) throw new RangeError("parameter value longer than 65535 bytes");
  const t = paramType(p);
  const out = new Uint8Array((v.length + 11) & ~7);
  out[0] = t >> 8;
  out[1] = t & 0xff;
  out[2] = v.length >> 8;
  out[3] = v.length & 0xff;
  out.set(v, 4);
  return out;
}

export * from "./base.ts";
export * from "./hostid.ts";
export * from "./locator.ts";
export * from "./mobility.ts";
export * from "./negotiation.ts";
export * from "./opaque.ts";
