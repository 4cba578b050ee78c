// HIP fixed header (RFC 7401 §5.1):
//  | Next Header | Header Length |0| Packet Type |Version| RES.|1|
//  |          Checksum           |           Controls            |
//  | Sender's HIT (16) | Receiver's HIT (16) | parameters...
import { HIP_HEADER_LEN, HIP_VERSION, NEXT_HEADER_NONE } from "./constants.ts";
import { err, ok, type Result, WireErrorCode as E } from "./error.ts";
import { carve } from "../core/slab.ts";

/** Plain header fields (Next Header, Header Length and the fixed bits are implied). */
export interface HipHeaderRepr {
  /** Packet Type (`PacketType`). */
  packetType: number;
  /** 4-bit version, always 2 when emitted by us. */
  version?: number;
  /** RES (3 bits); zero when sent. */
  res?: number;
  /** Checksum field as parsed; ignored when emitting (filled from the outer addresses, else 0). */
  checksum?: number;
  /** Controls (bit 0: A, anonymous; RFC 7401 §5.1.2). */
  controls: number;
  /** Sender's HIT (16 bytes). */
  senderHit: Uint8Array;
  /** Receiver's HIT (16 bytes; all zero: opportunistic). */
  receiverHit: Uint8Array;
}

/** Zero-copy view over the first 40 bytes of a HIP packet. Call check() before trusting it. */
export class HipHeaderView {
  /** @param bytes The packet (at least the 40 header bytes). */
  constructor(readonly bytes: Uint8Array) {}

  /** Next Header field (59 in HIP). */
  get nextHeader(): number {
    return this.bytes[0];
  }
  /** Header Length field: 8-byte units, excluding the first 8 bytes. */
  get headerLength(): number {
    return this.bytes[1];
  }
  /** Total packet length implied by Header Length. */
  get totalLength(): number {
    return (this.bytes[1] + 1) * 8;
  }
  /** The fixed bit before Packet Type (must be 0). */
  get fixedBit0(): number {
    return this.bytes[2] >> 7;
  }
  /** Packet Type (7 bits). */
  get packetType(): number {
    return this.bytes[2] & 0x7f;
  }
  /** Version (4 bits; 2 for HIPv2). */
  get version(): number {
    return this.bytes[3] >> 4;
  }
  /** RES (3 bits). */
  get res(): number {
    return (this.bytes[3] >> 1) & 7;
  }
  /** The fixed last bit (must be 1). */
  get fixedBit1(): number {
    return this.bytes[3] & 1;
  }
  /** Checksum field. */
  get checksum(): number {
    return (this.bytes[4] << 8) | this.bytes[5];
  }
  /** Controls field. */
  get controls(): number {
    return (this.bytes[6] << 8) | this.bytes[7];
  }
  /** Sender's HIT (a view, 16 bytes). */
  get senderHit(): Uint8Array {
    return this.bytes.subarray(8, 24);
  }
  /** Receiver's HIT (a view, 16 bytes). */
  get receiverHit(): Uint8Array {
    return this.bytes.subarray(24, 40);
  }

  /** Validates the header against the buffer length (exact match required). */
  check(): Result<HipHeaderView> {
    const b = this.bytes;
    if (b.length < HIP_HEADER_LEN) return err(E.TRUNCATED, b.length, `packet is ${b.length} bytes, HIP header needs 40`);
    if (b[0] !== NEXT_HEADER_NONE) return err(E.BAD_NEXT_HEADER, 0, `Next Header ${b[0]}, expected 59`, "nextHeader");
    if (b[1] < 4) return err(E.BAD_HEADER_LENGTH, 1, `Header Length ${b[1]} < 4`, "headerLength");
    if (this.fixedBit0 !== 0 || this.fixedBit1 !== 1) return err(E.BAD_FIXED_BITS, this.fixedBit0 !== 0 ? 2 : 3, "fixed header bits not 0/1", "fixed");
    if (this.version !== HIP_VERSION) return err(E.BAD_VERSION, 3, `version ${this.version}, expected 2`, "version");
    if (this.packetType === 0) return err(E.BAD_PACKET_TYPE, 2, "packet type 0 is reserved", "packetType");
    const total = this.totalLength;
    if (b.length < total) return err(E.TRUNCATED, b.length, `Header Length says ${total} bytes, have ${b.length}`, "headerLength");
    if (b.length > total) return err(E.TRAILING_BYTES, total, `${b.length - total} bytes after Header Length`, "headerLength");
    return ok(this);
  }

  /** The header fields as plain values (HITs copied). */
  toRepr(): HipHeaderRepr {
    return {
      packetType: this.packetType,
      version: this.version,
      res: this.res,
      checksum: this.checksum,
      controls: this.controls,
      senderHit: carve(this.bytes, 8, 24),
      receiverHit: carve(this.bytes, 24, 40),
    };
  }
}

/** Writes the 40 header bytes into out[0..40); totalLength must be a multiple of 8 in 40..2048. */
export function emitHeader(h: HipHeaderRepr, totalLength: number, out: Uint8Array): void {
  if (totalLength % 8 !== 0 || totalLength < HIP_HEADER_LEN || totalLength > 2048) throw new RangeError(`HIP packet length ${totalLength} not encodable`);
  if (h.senderHit.length !== 16 || h.receiverHit.length !== 16) throw new RangeError("HITs must be 16 bytes");
  out[0] = NEXT_HEADER_NONE;
  out[1] = totalLength / 8 - 1;
  out[2] = h.packetType & 0x7f;
  out[3] = (((h.version ?? HIP_VERSION) & 0xf) << 4) | (((h.res ?? 0) & 7) << 1) | 1;
  const c = h.checksum ?? 0;
  out[4] = c >> 8;
  out[5] = c & 0xff;
  out[6] = (h.controls >> 8) & 0xff;
  out[7] = h.controls & 0xff;
  out.set(h.senderHit, 8);
  out.set(h.receiverHit, 24);
}
