// Classic libpcap file format (https://www.tcpdump.org/manpages/pcap-savefile.5.html,
// draft-ietf-opsawg-pcap): writer and incremental reader over Uint8Array chunks. No I/O
// here; src/capture/pcap-file.ts adds the Node file helpers.
import type { Locator, Millis } from "../core/types.ts";
import { buildIp, buildUdp, IPPROTO_HIP, type IpOptions } from "./ip.ts";
import type { CaptureError } from "./parse-ip.ts";

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** Raw IP (IPv4 or IPv6 by the version nibble). */
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
/** Raw IPv4. */
export const LINKTYPE_IPV4 = 228;
/** Raw IPv6. */
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

/** Options of {@link PcapWriter}. */
export interface PcapWriterOptions {
  /** LINKTYPE_RAW (default; IPv4 and IPv6), LINKTYPE_IPV4 or LINKTYPE_IPV6. */
  linktype?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d); default microseconds. */
  nanos?: boolean;
  /** Snapshot length written in the header (default 262144). */
  snaplen?: number;
  /** Receives each chunk (global header first) as it is produced; otherwise chunks are buffered. */
  sink?: (chunk: Uint8Array) => void;
}

/**
 * Appends packets to a pcap stream. Timestamps are milliseconds since the Unix epoch (may be
 * fractional). Addresses may mix IPv4 and IPv4-mapped IPv6 text (normalized, see ip.ts).
 */
export class PcapWriter {
  /** Link type of the file. */
  readonly linktype: number;
  /** True for nanosecond timestamps. */
  readonly nanos: boolean;
  /** Snapshot length. */
  readonly snaplen: number;
  /** Packets written so far. */
  count = 0;
  private readonly chunks: Uint8Array[] = [];
  private readonly sink: ((chunk: Uint8Array) => void) | undefined;

  constructor(o: PcapWriterOptions = {}) {
    this.linktype = o.linktype ?? LINKTYPE_RAW;
    this.nanos = o.nanos ?? false;
    this.snaplen = o.snaplen ?? 262144;
    this.sink = o.sink;
    const h = new Uint8Array(GLOBAL_HEADER);
    const v = new DataView(h.buffer);
    v.setUint32(0, this.nanos ? MAGIC_NANO : MAGIC_MICRO, true); // little-endian file
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setUint32(16, this.snaplen, true);
    v.setUint32(20, this.linktype, true);
    this.emit(h);
  }

  /** One record holding `packet` as-is (already framed for this link type). */
  writePacket(now: Millis, packet: Uint8Array): void {
    const ipVersion = packet[0] >> 4;
    if ((this.linktype === LINKTYPE_IPV4 && ipVersion !== 4) || (this.linktype === LINKTYPE_IPV6 && ipVersion !== 6))
      throw new RangeError(`IPv${ipVersion} packet on link type ${this.linktype}`);
    const caplen = Math.min(packet.length, this.snaplen);
    const rec = new Uint8Array(RECORD_HEADER + caplen);
    const v = new DataView(rec.buffer);
    const [sec, frac] = splitTime(now, this.nanos);
    v.setUint32(0, sec, true);
    v.setUint32(4, frac, true);
    v.setUint32(8, caplen, true);
    v.setUint32(12, packet.length, true);
    rec.set(packet.subarray(0, caplen), RECORD_HEADER);
    this.count++;
    this.emit(rec);
  }

  /** `payload` inside an IPv4/IPv6 header with protocol `proto`. */
  writeIp(now: Millis, src: string, dst: string, proto: number, payload: Uint8Array, o?: IpOptions): void {
    this.writePacket(now, buildIp(src, dst, proto, payload, o));
  }

  /** A HIP packet sent as raw IP protocol 139 (RFC 7401 §5.1). */
  writeHip(now: Millis, src: string, dst: string, hipPacket: Uint8Array, o?: IpOptions): void {
    this.writeIp(now, src, dst, IPPROTO_HIP, hipPacket, o);
  }

  /** One UDP datagram `from` → `to` (e.g. a UDP/10500 datagram exactly as a host sends it). */
  writeUdp(now: Millis, from: Locator, to: Locator, payload: Uint8Array, o?: IpOptions): void {
    this.writePacket(now, buildUdp(from, to, payload, o));
  }

  /** Everything buffered so far as one file image (empty chunks list when a sink is used). */
  bytes(): Uint8Array {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  /** Takes the buffered chunks (for streaming without a sink). */
  drain(): Uint8Array[] {
    return this.chunks.splice(0, this.chunks.length);
  }

  private emit(chunk: Uint8Array): void {
    if (this.sink) this.sink(chunk);
    else this.chunks.push(chunk);
  }
}

function splitTime(now: Millis, nanos: boolean): [number, number] {
  const t = Math.max(0, now);
  const sec = Math.floor(t / 1000);
  const unit = nanos ? 1e9 : 1e6;
  const frac = Math.min(unit - 1, Math.round(((t - sec * 1000) / 1000) * unit));
  return [sec >>> 0, frac];
}

/** One record of a pcap file. */
export interface PcapRecord {
  /** Timestamp in milliseconds since the epoch. */
  readonly time: Millis;
  /** Original length of the packet on the wire. */
  readonly origLen: number;
  /** The captured bytes. */
  readonly data: Uint8Array;
  /** Byte offset of the record header in the file. */
  readonly fileOffset: number;
}

/** The pcap global header. */
export interface PcapHeader {
  /** Link type. */
  readonly linktype: number;
  /** True for nanosecond timestamps. */
  readonly nanos: boolean;
  /** Snapshot length. */
  readonly snaplen: number;
  /** True when the file is little-endian. */
  readonly littleEndian: boolean;
}

/** True when `b` starts with a classic pcap magic number (either byte order). */
export function isPcap(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const m = new DataView(b.buffer, b.byteOffset, 4);
  const le = m.getUint32(0, true);
  const be = m.getUint32(0, false);
  return le === MAGIC_MICRO || le === MAGIC_NANO || be === MAGIC_MICRO || be === MAGIC_NANO;
}

/** Incremental reader: `push` chunks, then `next()` until undefined; errors are values. */
export class PcapReader {
  /** The global header, once read. */
  header: PcapHeader | undefined;
  /** The first error, if the file is malformed. */
  error: CaptureError | undefined;
  private buf = new Uint8Array(0);
  private consumed = 0; // file offset of buf[0]

  /** Append a chunk of the file. */
  push(chunk: Uint8Array): void {
    const n = new Uint8Array(this.buf.length + chunk.length);
    n.set(this.buf, 0);
    n.set(chunk, this.buf.length);
    this.buf = n;
  }

  /** Next complete record, undefined when more bytes are needed (or after an error). */
  next(): PcapRecord | undefined {
    if (this.error) return undefined;
    if (!this.header) {
      if (this.buf.length < GLOBAL_HEADER) return undefined;
      const h = readHeader(this.buf);
      if ("code" in h) {
        this.error = h;
        return undefined;
      }
      this.header = h;
      this.take(GLOBAL_HEADER);
    }
    if (this.buf.length < RECORD_HEADER) return undefined;
    const h = this.header;
    const v = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    const caplen = v.getUint32(8, h.littleEndian);
    if (caplen > Math.max(h.snaplen, 262144)) {
      this.error = { code: "PCAP_BAD_RECORD", offset: this.consumed + 8, message: `caplen ${caplen}` };
      return undefined;
    }
    if (this.buf.length < RECORD_HEADER + caplen) return undefined;
    const sec = v.getUint32(0, h.littleEndian);
    const frac = v.getUint32(4, h.littleEndian);
    const rec: PcapRecord = {
      time: sec * 1000 + (h.nanos ? frac / 1e6 : frac / 1e3),
      origLen: v.getUint32(12, h.littleEndian),
      data: this.buf.slice(RECORD_HEADER, RECORD_HEADER + caplen),
      fileOffset: this.consumed,
    };
    this.take(RECORD_HEADER + caplen);
    return rec;
  }

  /** Call at end of input: reports leftover bytes of a cut-off record. */
  finish(): CaptureError | undefined {
    if (this.error) return this.error;
    if (!this.header) return { code: "PCAP_TRUNCATED", offset: 0, message: "no complete pcap header" };
    if (this.buf.length > 0)
      return { code: "PCAP_TRUNCATED", offset: this.consumed, message: `${this.buf.length} bytes of a cut-off record` };
    return undefined;
  }

  private take(n: number): void {
    this.buf = this.buf.subarray(n);
    this.consumed += n;
  }
}

function readHeader(b: Uint8Array): PcapHeader | CaptureError {
  const v = new DataView(b.buffer, b.byteOffset, GLOBAL_HEADER);
  for (const littleEndian of [true, false]) {
    const magic = v.getUint32(0, littleEndian);
    if (magic !== MAGIC_MICRO && magic !== MAGIC_NANO) continue;
    return {
      nanos: magic === MAGIC_NANO,
      littleEndian,
      snaplen: v.getUint32(16, littleEndian),
      linktype: v.getUint32(20, littleEndian) & 0x0fffffff, // upper bits: FCS info
    };
  }
  return { code: "PCAP_BAD_MAGIC", offset: 0, message: "not a classic pcap file (pcapng is not supported)" };
}

/** Whole-file parse. */
export function parsePcap(b: Uint8Array): {
  /** The file header. */
  header: PcapHeader;
  /** Every record. */
  records: PcapRecord[];
} | CaptureError {
  const r = new PcapReader();
  r.push(b);
  const records: PcapRecord[] = [];
  for (let rec = r.next(); rec; rec = r.next()) records.push(rec);
  const e = r.finish();
  if (e || !r.header) return e ?? { code: "PCAP_TRUNCATED", offset: 0, message: "no header" };
  return { header: r.header, records };
}

/** Strips the link-layer header: the IP packet inside a record, or undefined (not IP). */
export function linkPayload(linktype: number, d: Uint8Array): Uint8Array | undefined {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const ipByType = (et: number, off: number) => (et === 0x0800 || et === 0x86dd ? d.subarray(off) : undefined);
  switch (linktype) {
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return d;
    case LINKTYPE_NULL: {
      if (d.length < 4) return undefined;
      const fam = d[0] !== 0 ? v.getUint32(0, true) : v.getUint32(0, false); // host byte order
      return fam === 2 || fam === 24 || fam === 28 || fam === 30 ? d.subarray(4) : undefined;
    }
    case LINKTYPE_ETHERNET: {
      if (d.length < 14) return undefined;
      let et = v.getUint16(12);
      let off = 14;
      if (et === 0x8100 && d.length >= 18) {
        et = v.getUint16(16);
        off = 18;
      }
      return ipByType(et, off);
    }
    case LINKTYPE_LINUX_SLL:
      return d.length < 16 ? undefined : ipByType(v.getUint16(14), 16);
    case LINKTYPE_LINUX_SLL2:
      return d.length < 20 ? undefined : ipByType(v.getUint16(0), 20);
    default:
      return undefined;
  }
}
