// Whole HIP packets: representation + parse/emit (RFC 7401 §5.1-§5.2), MAC/signature prefixes
// (§5.2.12-§5.2.15, §6.4.1, PROFILE §2 HMAC) and packet-level checks (critical bit, presence).
import { fillChecksum } from "./checksum.ts";
import { HIP_HEADER_LEN, HIP_MAX_PACKET_LEN, isCritical } from "./constants.ts";
import { err, ok, type Result, WireErrorCode as E } from "./error.ts";
import { emitHeader, type HipHeaderRepr } from "./header.ts";
import { emitParam, type Param, type ParamKind, type ParamOf, paramType } from "./params/index.ts";
import { PacketView, type ParseOptions } from "./view.ts";

export interface HipPacket extends HipHeaderRepr {
  /** Parameters in wire order (emitters write them as given; keep them ascending by type). */
  params: Param[];
  /** Set by parsePacket: offset of each parameter's TLV in the received bytes. */
  offsets?: number[];
  /** Set by parsePacket: the received bytes (for prefixOf / received-MAC checks). */
  bytes?: Uint8Array;
}

/** Options of `emitPacket`. */
export interface EmitOptions {
  /** Outer addresses; with both, the checksum is filled in, else it is 0. */
  src?: string;
  /** Outer destination address (text). */
  dst?: string;
}

/** Parses and type-checks a whole packet. Unknown parameters come back as kind "UNKNOWN". */
export function parsePacket(bytes: Uint8Array, opts: ParseOptions = {}): Result<HipPacket> {
  const v = PacketView.parse(bytes, opts);
  return v.ok ? packetOfView(v.value) : v;
}

/** The typed packet of an already parsed view: its parameters decoded from the view's walk
 * (parse once; no second walk or header check). */
export function packetOfView(view: PacketView): Result<HipPacket> {
  const params: Param[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < view.count; i++) {
    const p = view.paramAt(i);
    if (!p.ok) return p;
    params.push(p.value);
    offsets.push(view.index.offset(i));
  }
  const h = view.header.toRepr();
  return ok({
    packetType: h.packetType, version: h.version, res: h.res, checksum: h.checksum, controls: h.controls,
    senderHit: h.senderHit, receiverHit: h.receiverHit, params, offsets, bytes: view.bytes,
  });
}

function emitWith(pkt: HipPacket, params: readonly Param[], opts: EmitOptions): Uint8Array {
  const tlvs = params.map(emitParam);
  let total = HIP_HEADER_LEN;
  for (const t of tlvs) total += t.length;
  if (total > HIP_MAX_PACKET_LEN) throw new RangeError(`HIP packet of ${total} bytes exceeds ${HIP_MAX_PACKET_LEN}`);
  const out = new Uint8Array(total);
  emitHeader({ ...pkt, checksum: 0 }, total, out);
  let o = HIP_HEADER_LEN;
  for (const t of tlvs) {
    out.set(t, o);
    o += t.length;
  }
  if (opts.src !== undefined && opts.dst !== undefined && !fillChecksum(out, opts.src, opts.dst)) throw new RangeError("bad address for checksum");
  return out;
}

/** Emits the packet; Header Length is computed; checksum filled when both addresses are given. */
export function emitPacket(pkt: HipPacket, opts: EmitOptions = {}): Uint8Array {
  return emitWith(pkt, pkt.params, opts);
}

/** Header (checksum 0, Header Length covering them) + the first `paramCount` parameters:
 * the bytes HIP_MAC, HIP_SIGNATURE and HMAC are computed over. */
export function emitPacketPrefix(pkt: HipPacket, paramCount: number): Uint8Array {
  return emitWith(pkt, pkt.params.slice(0, paramCount), {});
}

/** The first parameter of this kind, if any. */
export function getParam<K extends ParamKind>(pkt: { params: readonly Param[] }, kind: K): ParamOf<K> | undefined {
  return pkt.params.find((p) => p.kind === kind) as ParamOf<K> | undefined;
}

/** Every parameter of this kind, in packet order. */
export function getParams<K extends ParamKind>(pkt: { params: readonly Param[] }, kind: K): ParamOf<K>[] {
  return pkt.params.filter((p) => p.kind === kind) as ParamOf<K>[];
}

/** Index of the first parameter of `kind`, -1 if absent (for emitPacketPrefix / prefixOf). */
export function paramIndex(pkt: { params: readonly Param[] }, kind: ParamKind): number {
  return pkt.params.findIndex((p) => p.kind === kind);
}

/** The parameter, or MISSING_PARAM. */
export function requireParam<K extends ParamKind>(pkt: HipPacket, kind: K): Result<ParamOf<K>> {
  const p = getParam(pkt, kind);
  return p ? ok(p) : err(E.MISSING_PARAM, pkt.bytes?.length ?? 0, `packet type ${pkt.packetType} lacks ${kind}`, kind);
}

function offsetOf(pkt: HipPacket, i: number): number {
  return pkt.offsets?.[i] ?? 0;
}

/** UNKNOWN_CRITICAL for the first critical parameter not known (RFC 7401 §5.2.1). By default
 * every typed kind is known; pass `known` (parameter numbers) to narrow it per packet type. */
export function checkCritical(pkt: HipPacket, known?: ReadonlySet<number>): Result<HipPacket> {
  for (let i = 0; i < pkt.params.length; i++) {
    const p = pkt.params[i];
    const t = paramType(p);
    if (!isCritical(t)) continue;
    if (known ? !known.has(t) : p.kind === "UNKNOWN") return err(E.UNKNOWN_CRITICAL, offsetOf(pkt, i), `unknown critical parameter type ${t}`, String(t));
  }
  return ok(pkt);
}

/** Kinds that may repeat in one packet (draft §6.1.1 REA_INFO ×n; RFC 7401 §5.2.20-21, RFC 8002). */
export const REPEATABLE_KINDS: ReadonlySet<ParamKind> = new Set<ParamKind>(["REA_INFO", "CERT", "ECHO_REQUEST_UNSIGNED", "ECHO_RESPONSE_UNSIGNED", "UNKNOWN"]);

/** DUPLICATE_PARAM when a non-repeatable parameter appears twice. */
export function checkDuplicates(pkt: HipPacket, repeatable: ReadonlySet<ParamKind> = REPEATABLE_KINDS): Result<HipPacket> {
  for (let i = 1; i < pkt.params.length; i++) {
    const k = pkt.params[i].kind;
    if (k === pkt.params[i - 1].kind && !repeatable.has(k)) return err(E.DUPLICATE_PARAM, offsetOf(pkt, i), `${k} repeated`, k);
  }
  return ok(pkt);
}

/** Stable sort of parameters into ascending type order (RFC 7401 §5.2.1). */
export function sortParams(params: readonly Param[]): Param[] {
  return params
    .map((p, i) => [p, i] as const)
    .sort((a, b) => paramType(a[0]) - paramType(b[0]) || a[1] - b[1])
    .map((x) => x[0]);
}
