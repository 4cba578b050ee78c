// Lazy packet view: header view + parameter index (WASM walk when bound). Typed parameters are
// parsed only when asked for. parsePacket() (packet.ts) is this view made eager.
import { verifyChecksum } from "./checksum.ts";
import { HIP_HEADER_LEN, isMobilityPacket, ParamType } from "./constants.ts";
import { err, ok, type Result, WireErrorCode as E } from "./error.ts";
import { HipHeaderView } from "./header.ts";
import { type KnownParamKind, PARAM_CODECS, type Param, type ParamOf, parseParamAt } from "./params/index.ts";
import { type ParamIndex, walkParams } from "./walk.ts";

/** Options of {@link PacketView.parse}. */
export interface ParseOptions {
  /** Outer source address (text); with `dst`, the checksum is verified (RFC 7401 §5.1.1). */
  src?: string;
  /** Outer destination address (text). */
  dst?: string;
  /** Accept checksum 0 as "not computed" (HIP over UDP, RFC 5770 / PROFILE §3). */
  allowZeroChecksum?: boolean;
}

/** A lazy HIP packet: header view plus parameter index; typed parameters are parsed on demand. */
export class PacketView {
  private constructor(
    /** The whole packet. */
    readonly bytes: Uint8Array,
    /** Its header. */
    readonly header: HipHeaderView,
    /** Its parameter index (TLV walk). */
    readonly index: ParamIndex,
  ) {}

  /** Checks header, checksum (when both addresses are given) and the TLV walk. */
  static parse(bytes: Uint8Array, opts: ParseOptions = {}): Result<PacketView> {
    const header = new HipHeaderView(bytes);
    const h = header.check();
    if (!h.ok) return h;
    if (opts.src !== undefined && opts.dst !== undefined && !(opts.allowZeroChecksum && header.checksum === 0)) {
      if (!verifyChecksum(bytes, opts.src, opts.dst)) return err(E.BAD_CHECKSUM, 4, "checksum does not verify", "checksum");
    }
    const w = walkParams(bytes, HIP_HEADER_LEN);
    if (!w.ok) return w;
    return ok(new PacketView(bytes, header, w.value));
  }

  /** Packet Type. */
  get packetType(): number {
    return this.header.packetType;
  }
  /** Number of parameters. */
  get count(): number {
    return this.index.count;
  }

  /** Index of the first parameter of this kind (or raw type number), -1 if absent. */
  find(kindOrType: KnownParamKind | number): number {
    if (typeof kindOrType === "number") return this.index.find(kindOrType);
    const type = PARAM_CODECS[kindOrType].type;
    const mm = isMobilityPacket(this.packetType);
    // 128/129/130 are the draft's parameters only in its own packets (PROFILE §2).
    if (type === ParamType.R1_COUNTER && (kindOrType === "AC_INFO") !== mm) return -1;
    if ((kindOrType === "REA_INFO" || kindOrType === "FA_INFO") && !mm) return -1;
    return this.index.find(type);
  }

  /** Value bytes of parameter i (a subarray, no copy). */
  value(i: number): Uint8Array {
    const o = this.index.valueOffset(i);
    return this.bytes.subarray(o, o + this.index.length(i));
  }

  /** Typed parse of parameter i (read in place: no view of its value is made). */
  paramAt(i: number): Result<Param> {
    const e = this.index.entries;
    return parseParamAt(this.packetType, e[3 * i], this.bytes, e[3 * i + 1] + 4, e[3 * i + 2]);
  }

  /** Typed parse of the first parameter of `kind`; undefined when absent. */
  param<K extends KnownParamKind>(kind: K): Result<ParamOf<K>> | undefined {
    const i = this.find(kind);
    return i < 0 ? undefined : (this.paramAt(i) as Result<ParamOf<K>>);
  }

  /** Received bytes before parameter i, checksum zeroed and Header Length cut to them: the input
   * of HIP_MAC / HIP_SIGNATURE / HMAC verification (RFC 7401 §6.4.1, PROFILE §2). */
  prefix(i: number): Uint8Array {
    return prefixOf(this.bytes, i < this.index.count ? this.index.offset(i) : this.bytes.length);
  }
}

/** Copy of bytes[0, end) with checksum 0 and Header Length = end / 8 - 1 (end multiple of 8). */
export function prefixOf(bytes: Uint8Array, end: number): Uint8Array {
  const out = bytes.slice(0, end);
  out[1] = end / 8 - 1;
  out[4] = 0;
  out[5] = 0;
  return out;
}
