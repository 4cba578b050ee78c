// Dissection of HIP packets and capture frames into plain JSON-able objects, using the wire
// codec's typed parse (src/wire/packet.ts). Errors are values: { code, offset, message }.
// Shared by `hipmm decode`, tests and the web demo.
import { hex } from "../core/bytes.ts";
import { hipChecksum } from "../wire/checksum.ts";
import { isCritical, NotifyType, PacketType } from "../wire/constants.ts";
import { fadReasonName } from "../fa/core/reasons.ts";
import { type WireError, WireErrorCode } from "../wire/error.ts";
import { parsePacket } from "../wire/packet.ts";
import { readTlv } from "../wire/tlv.ts";
import { type Param, paramType } from "../wire/params/index.ts";
import { bytesToIp } from "../core/addr.ts";
import { IPPROTO_ESP, IPPROTO_HIP, IPPROTO_UDP } from "./ip.ts";
import { type CaptureError, demuxUdpPayload, isCaptureError, parseIpPacket, parseUdp } from "./parse-ip.ts";
import { DetectedPorts, looksLikeHipOverUdp } from "./heuristic.ts";
import { linkPayload, parsePcap } from "./pcap.ts";
import { HIP_UDP_PORT } from "../core/types.ts";

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(PacketType).map(([k, v]) => [v, k]));

/** Packet type name ("I1", "REA", …), or "TYPE_n" when unknown. */
export function packetTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `TYPE_${t}`;
}

const NOTIFY_NAMES = new Map<number, string>(Object.entries(NotifyType).map(([k, v]) => [v, k]));

/** RFC 7401 §5.2.19 name, or our FAD reason name (private range, PROTOCOL.md §9). */
export function notifyName(t: number): string {
  return NOTIFY_NAMES.get(t) ?? fadReasonName(t);
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** One parameter of a dissected packet. */
export interface ParamDissection {
  /** Offset of the TLV header in the HIP packet. */
  offset: number;
  /** Parameter type number. */
  type: number;
  /** Parameter name ("PUZZLE", …; "UNKNOWN_n" when not parsed). */
  name: string;
  /** True when the critical bit is set (RFC 7401 §5.2.1). */
  critical: boolean;
  /** Length field (value bytes, without padding). */
  length: number;
  /** Its fields as JSON values. */
  fields: Record<string, JsonValue>;
}

/** A dissected HIP packet (`hipmm decode`). */
export interface HipDissection {
  /** Packet Type. */
  packetType: number;
  /** Packet type name. */
  name: string;
  /** Version. */
  version: number;
  /** Header Length field (8-byte units after the first 8 bytes). */
  headerLength: number;
  /** Packet length (bytes). */
  length: number;
  /** Checksum field. */
  checksum: number;
  /** "good" when verified with the outer addresses, "zero" (allowed over UDP), else "unchecked";
   * a bad checksum is an error (BAD_CHECKSUM at offset 4). */
  checksumStatus: "good" | "zero" | "unchecked";
  /** Controls field. */
  controls: number;
  /** Sender's HIT (text). */
  senderHit: string;
  /** Receiver's HIT (text). */
  receiverHit: string;
  /** The parameters in order. */
  params: ParamDissection[];
}

export interface HipContext {
  src?: string;
  dst?: string;
  /** HIP over UDP: checksum 0 means "not computed" (PROFILE §3). */
  allowZeroChecksum?: boolean;
}

/** JSON-friendly copy of a typed parameter: bytes → hex, bigint → decimal string. */
export function paramFields(p: Param): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(p)) if (k !== "kind" && !(p.kind === "UNKNOWN" && k === "type")) out[k] = toJson(v);
  if (p.kind === "NOTIFICATION") out.notifyName = notifyName(p.notifyType);
  // DI-type 1 FQDN / 2 NAI (RFC 7401 §5.2.9): also show the text.
  if (p.kind === "HOST_ID" && (p.diType === 1 || p.diType === 2)) out.domainName = new TextDecoder("utf-8", { fatal: false }).decode(p.domainIdentifier);
  return out;
}

function toJson(v: unknown): JsonValue {
  if (v instanceof Uint8Array) return hex(v);
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v as JsonValue;
}

/** Validates and dissects one HIP packet; the first problem found is returned as an error. */
export function dissectHip(bytes: Uint8Array, ctx: HipContext = {}): HipDissection | WireError {
  // Structure first (more telling than a checksum mismatch), then the checksum.
  const r = parsePacket(bytes);
  if (!r.ok) return r.error;
  const pkt = r.value;
  let checksumStatus: HipDissection["checksumStatus"] = "unchecked";
  if (ctx.src !== undefined && ctx.dst !== undefined) {
    const want = hipChecksum(bytes, ctx.src, ctx.dst);
    if (pkt.checksum === 0 && ctx.allowZeroChecksum) checksumStatus = "zero";
    else if (want === pkt.checksum) checksumStatus = "good";
    else return { code: WireErrorCode.BAD_CHECKSUM, offset: 4, message: `checksum 0x${(pkt.checksum ?? 0).toString(16).padStart(4, "0")}, expected 0x${(want ?? 0).toString(16).padStart(4, "0")} for ${ctx.src} → ${ctx.dst}`, field: "checksum" };
  }
  return {
    packetType: pkt.packetType,
    name: packetTypeName(pkt.packetType),
    version: pkt.version ?? 2,
    headerLength: bytes[1],
    length: bytes.length,
    checksum: pkt.checksum ?? 0,
    checksumStatus,
    controls: pkt.controls,
    senderHit: bytesToIp(pkt.senderHit),
    receiverHit: bytesToIp(pkt.receiverHit),
    params: pkt.params.map((p, i) => {
      const offset = pkt.offsets?.[i] ?? 0;
      const type = paramType(p);
      return { offset, type, name: p.kind === "UNKNOWN" ? `UNKNOWN_${type}` : p.kind, critical: isCritical(type), length: readTlv(bytes, offset)?.length ?? 0, fields: paramFields(p) };
    }),
  };
}

export function isHipDissection(x: unknown): x is HipDissection {
  return typeof x === "object" && x !== null && "params" in x;
}

/** One frame of a capture. `error` is set when the frame holds a malformed HIP/IP/UDP packet. */
export interface FrameDissection {
  /** Frame number (1-based). */
  frame: number;
  /** Capture timestamp (ms since the epoch). */
  time: number;
  /** IP source address. */
  src?: string;
  /** IP destination address. */
  dst?: string;
  /** HIP directly over IP (protocol 139) or over UDP. */
  transport?: "ip" | "udp";
  /** UDP source port. */
  srcPort?: number;
  /** UDP destination port. */
  dstPort?: number;
  /** The HIP packet, if any. */
  hip?: HipDissection;
  /** An ESP packet: its SPI, sequence number and length. */
  esp?: {
    /** SPI. */
    spi: number;
    /** Sequence number. */
    seq: number;
    /** ESP packet length (bytes). */
    length: number;
  };
  /** "incorrect": the UDP checksum does not verify (checksum offload on the capturing host, or damage); the frame is dissected anyway. */
  udpChecksum?: "incorrect";
  /** Not HIP/ESP (e.g. other UDP ports, other protocols): a short note. */
  note?: string;
  /** HIP over UDP found on a port not given with --port (heuristic.ts), or the rest of such a conversation. */
  detected?: boolean;
  /** The parse error, when the frame is malformed. */
  error?: CaptureError | WireError;
}

/** Dissects every frame of a classic pcap file; a bad file gives one error. */
export function dissectPcap(file: Uint8Array, hipPorts: readonly number[] = [HIP_UDP_PORT], detected: DetectedPorts = new DetectedPorts()): FrameDissection[] | CaptureError {
  const pc = parsePcap(file);
  if (isCaptureError(pc)) return pc;
  return pc.records.map((rec, n) => dissectFrame(n + 1, rec.time, linkPayload(pc.header.linktype, rec.data), hipPorts, detected));
}

function dissectFrame(frame: number, time: number, ipBytes: Uint8Array | undefined, hipPorts: readonly number[], detected: DetectedPorts): FrameDissection {
  const f: FrameDissection = { frame, time };
  if (!ipBytes) return { ...f, note: "not an IP packet" };
  const ip = parseIpPacket(ipBytes);
  if (isCaptureError(ip)) return { ...f, error: ip };
  f.src = ip.src;
  f.dst = ip.dst;
  f.transport = "ip";
  // IPv4-mapped addresses inside an IPv6 header still take the IPv6 pseudo-header.
  const v6 = (a: string) => (ip.version === 6 && !a.includes(":") ? `::ffff:${a}` : a);
  const addrs = { src: v6(ip.src), dst: v6(ip.dst) };
  if (ip.proto === IPPROTO_HIP) return withHip(f, ip.payload, addrs);
  if (ip.proto === IPPROTO_ESP) return withEsp(f, demuxUdpPayload(ip.payload, ip.offset));
  if (ip.proto !== IPPROTO_UDP) return { ...f, note: `IP protocol ${ip.proto}` };
  const udp = parseUdp(ip);
  if (isCaptureError(udp)) return { ...f, error: udp };
  f.transport = "udp";
  f.srcPort = udp.srcPort;
  f.dstPort = udp.dstPort;
  // A capture taken on a sending Linux host or router (veth, NICs with checksum offload) holds
  // outbound UDP whose checksum the hardware fills in later: reported, and dissected anyway (as
  // Wireshark does; the HIP packet has its own integrity checks).
  if (udp.checksumOk === false) f.udpChecksum = "incorrect";
  if (!hipPorts.includes(udp.srcPort) && !hipPorts.includes(udp.dstPort)) {
    if (looksLikeHipOverUdp(udp.payload)) detected.add(ip.src, udp.srcPort, ip.dst, udp.dstPort);
    if (!detected.has(ip.src, udp.srcPort, ip.dst, udp.dstPort)) return { ...f, note: "not HIP over UDP (no zero marker + HIP header on this port pair; --port N forces it)" };
    f.detected = true;
  }
  const d = demuxUdpPayload(udp.payload, udp.offset);
  if ("code" in d) return { ...f, error: d };
  if (d.kind === "hip") return withHip(f, d.packet, { ...addrs, allowZeroChecksum: true });
  if (d.kind === "keepalive") return { ...f, note: "NAT keepalive" };
  return withEsp(f, d);
}

function withHip(f: FrameDissection, bytes: Uint8Array, ctx: HipContext): FrameDissection {
  const d = dissectHip(bytes, ctx);
  return isHipDissection(d) ? { ...f, hip: d } : { ...f, error: d };
}

function withEsp(f: FrameDissection, d: ReturnType<typeof demuxUdpPayload>): FrameDissection {
  if ("code" in d) return { ...f, error: d };
  if (d.kind !== "esp") return { ...f, note: d.kind };
  return { ...f, esp: { spi: d.spi, seq: d.seq, length: d.length } };
}
