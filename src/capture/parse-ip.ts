// Read side of ip.ts: find the transport payload in a raw IPv4/IPv6 packet and split
// UDP/10500 datagrams into HIP (32-bit zero marker) or ESP (RFC 5770 §5.1, PROFILE §3).
// Errors are values with a byte offset into the IP packet, never thrown.
import { bytesToIp } from "../core/addr.ts";
import { IPPROTO_UDP, onesSum, pseudoHeader } from "./ip.ts";

/** A capture parse error: a code, the byte offset and a message. */
export interface CaptureError {
  /** Error code (e.g. "IP_TRUNCATED", "NOT_UDP"). */
  readonly code: string;
  /** Byte offset in the packet. */
  readonly offset: number;
  /** Human-readable text. */
  readonly message: string;
}

/** An IPv4 or IPv6 packet split into addresses and payload. */
export interface IpPacket {
  /** IP version. */
  readonly version: 4 | 6;
  /** Source address (text). */
  readonly src: string;
  /** Destination address (text). */
  readonly dst: string;
  /** IPv4 protocol / last IPv6 next header. */
  readonly proto: number;
  /** Offset of the transport payload inside the packet. */
  readonly offset: number;
  /** The transport payload. */
  readonly payload: Uint8Array;
}

/** A UDP datagram inside an IP packet. */
export interface UdpDatagram {
  /** Source port. */
  readonly srcPort: number;
  /** Destination port. */
  readonly dstPort: number;
  /** Offset of the UDP payload inside the IP packet. */
  readonly offset: number;
  /** The UDP payload. */
  readonly payload: Uint8Array;
  /** true/false when a checksum is present, undefined when it is zero (IPv4 only). */
  readonly checksumOk: boolean | undefined;
}

const err = (code: string, offset: number, message: string): CaptureError => ({ code, offset, message });

/** Extension headers we step over (RFC 8200 §4): hop-by-hop, routing, destination options. */
const SKIPPABLE_V6 = new Set([0, 43, 60]);

/** Parse an IPv4 / IPv6 packet (IPv6 extension headers stepped over), or an error. */
export function parseIpPacket(b: Uint8Array): IpPacket | CaptureError {
  if (b.length < 1) return err("IP_TRUNCATED", 0, "empty packet");
  const version = b[0] >> 4;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (version === 4) {
    if (b.length < 20) return err("IP_TRUNCATED", 0, `IPv4 header needs 20 bytes, have ${b.length}`);
    const ihl = (b[0] & 0x0f) * 4;
    const total = v.getUint16(2);
    if (ihl < 20 || ihl > total) return err("IP_BAD_HEADER", 0, `IPv4 IHL ${ihl} / total length ${total}`);
    if (total > b.length) return err("IP_TRUNCATED", 2, `IPv4 total length ${total} > ${b.length} captured`);
    if ((v.getUint16(6) & 0x3fff) !== 0) return err("IP_FRAGMENT", 6, "IPv4 fragment (not reassembled)");
    return {
      version: 4,
      src: `${b[12]}.${b[13]}.${b[14]}.${b[15]}`,
      dst: `${b[16]}.${b[17]}.${b[18]}.${b[19]}`,
      proto: b[9],
      offset: ihl,
      payload: b.subarray(ihl, total),
    };
  }
  if (version === 6) {
    if (b.length < 40) return err("IP_TRUNCATED", 0, `IPv6 header needs 40 bytes, have ${b.length}`);
    const end = 40 + v.getUint16(4);
    if (end > b.length) return err("IP_TRUNCATED", 4, `IPv6 payload length ${end - 40} > ${b.length - 40} captured`);
    let next = b[6];
    let off = 40;
    while (SKIPPABLE_V6.has(next)) {
      if (off + 8 > end) return err("IP_TRUNCATED", off, "IPv6 extension header truncated");
      const len = (b[off + 1] + 1) * 8;
      next = b[off];
      off += len;
    }
    if (next === 44) return err("IP_FRAGMENT", off, "IPv6 fragment (not reassembled)");
    if (off > end) return err("IP_TRUNCATED", end, "IPv6 extension headers overrun the packet");
    return {
      version: 6,
      src: bytesToIp(b.subarray(8, 24)),
      dst: bytesToIp(b.subarray(24, 40)),
      proto: next,
      offset: off,
      payload: b.subarray(off, end),
    };
  }
  return err("IP_BAD_VERSION", 0, `IP version ${version}`);
}

/** The UDP datagram of `ip` (`checksumOk` says whether its checksum verified), or an error. */
export function parseUdp(ip: IpPacket): UdpDatagram | CaptureError {
  const s = ip.payload;
  if (ip.proto !== IPPROTO_UDP) return err("NOT_UDP", ip.offset, `protocol ${ip.proto}`);
  if (s.length < 8) return err("UDP_TRUNCATED", ip.offset, `UDP header needs 8 bytes, have ${s.length}`);
  const v = new DataView(s.buffer, s.byteOffset, s.byteLength);
  const len = v.getUint16(4);
  if (len < 8 || len > s.length) return err("UDP_BAD_LENGTH", ip.offset + 4, `UDP length ${len}, ${s.length} present`);
  const seg = s.subarray(0, len);
  const sum = v.getUint16(6);
  const checksumOk =
    sum === 0 && ip.version === 4 ? undefined : onesSum([pseudoHeader(ip.src, ip.dst, IPPROTO_UDP, len, ip.version === 6), seg]) === 0xffff;
  return { srcPort: v.getUint16(0), dstPort: v.getUint16(2), offset: ip.offset + 8, payload: seg.subarray(8), checksumOk };
}

/** One UDP/10500 payload demultiplexed (RFC 5770 §5.1), or an error. */
export type Demuxed =
  | {
      /** A HIP control packet. */
      readonly kind: "hip";
      /** The HIP packet (after the zero marker). */
      readonly packet: Uint8Array;
      /** Its offset in the enclosing packet. */
      readonly offset: number;
    }
  | {
      /** An ESP packet. */
      readonly kind: "esp";
      /** SPI. */
      readonly spi: number;
      /** Sequence number. */
      readonly seq: number;
      /** Its offset in the enclosing packet. */
      readonly offset: number;
      /** Its length (bytes). */
      readonly length: number;
    }
  | {
      /** A NAT keepalive. */
      readonly kind: "keepalive";
      /** Its offset in the enclosing packet. */
      readonly offset: number;
    }
  | CaptureError;

/**
 * RFC 5770 §5.1 demultiplexing of one UDP payload: 32 zero bits → HIP control packet after
 * the marker; otherwise ESP with a non-zero SPI. A 1-byte 0xff is a NAT keepalive (RFC 3948 §2.3).
 * `base` is the payload's offset in the enclosing packet (for error offsets).
 */
export function demuxUdpPayload(p: Uint8Array, base = 0): Demuxed {
  if (p.length === 1 && p[0] === 0xff) return { kind: "keepalive", offset: base };
  if (p.length < 4) return err("UDP_SHORT_PAYLOAD", base, `payload of ${p.length} bytes is neither HIP nor ESP`);
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const first = v.getUint32(0);
  if (first === 0) return { kind: "hip", packet: p.subarray(4), offset: base + 4 };
  if (p.length < 8) return err("ESP_TRUNCATED", base, `ESP needs SPI and sequence number, have ${p.length} bytes`);
  return { kind: "esp", spi: first, seq: v.getUint32(4), offset: base, length: p.length };
}

export function isCaptureError(x: unknown): x is CaptureError {
  return typeof x === "object" && x !== null && "code" in x && "message" in x && "offset" in x;
}
