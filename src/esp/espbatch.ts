// EspBatch: a reusable, zero-copy batch in the batch layout of batch.ts / docs/PROTOCOL.md §6.
// Callers write payloads (seal) or packets (open) straight into the buffer, hand the batch to
// DataPlane.process() or WorkerDataPlane.process(), then read statuses and bytes in place.
// Nothing is allocated per packet: the entry table has a fixed capacity, slots follow it.
import { E_LEN, E_NEXT_HEADER, E_OFF, E_PAYLOAD_OFF, E_SA, E_SEQ, E_SPI, E_STATUS, ENTRY_BYTES, SEAL_OVERHEAD } from "./batch.ts";
import type { EspStatus } from "./types.ts";

/** Seal (payloads → ESP packets) or open (ESP packets → payloads). */
export type BatchOp = "seal" | "open";

const align8 = (n: number): number => (n + 7) & ~7;
const IPPROTO_UDP = 17;
/** Seal entry nextHeader word, bit 8: the data plane fills the BEET UDP checksum (docs/PROTOCOL.md §6). */
const BATCH_UDP = 0x100;
const DETACHED = new Uint8Array(0);

/** SharedArrayBuffers are shared, not transferred (and may not exist outside isolation). */
export function isShared(buf: ArrayBufferLike): buf is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== "undefined" && buf instanceof SharedArrayBuffer;
}

/** Thrown when a batch is filled, reset or processed while a Worker still has it. */
export function inFlightError(): Error {
  return new Error("EspBatch is in flight: wait for its process() promise to settle");
}

/** Options of {@link EspBatch}. */
export interface EspBatchOptions {
  /** Entry-table capacity (packets per batch); default 64. */
  maxPackets?: number;
  /** Total buffer size in bytes; default maxPackets × (32 + 1600). */
  byteLength?: number;
  /** Back the batch with a SharedArrayBuffer (needs cross-origin isolation in browsers). */
  shared?: boolean;
}

/** A reusable zero-copy batch of packets to seal or open (layout: docs/PROTOCOL.md §6); fill it, hand it to `DataPlane.process()` or `WorkerDataPlane.process()`, read results in place. */
export class EspBatch {
  /** Entry-table capacity (packets per batch). */
  readonly maxPackets: number;
  /** The whole batch buffer (entries, then packet slots). Empty while the batch is in a Worker. */
  bytes: Uint8Array = DETACHED;
  /** Packets added since the last reset(). */
  count = 0;
  /** Bytes in use: the entry table (full capacity) plus the slots handed out. */
  size: number;
  /** Ok packets reported by the last process() (WASM's return value). */
  ok = 0;
  /**
   * True while WorkerDataPlane.process() has the batch (until its promise settles): the batch
   * must not be filled, reset or processed again meanwhile (those throw).
   */
  inFlight = false;
  private dv: DataView = new DataView(DETACHED.buffer);

  constructor(opts: EspBatchOptions = {}) {
    this.maxPackets = opts.maxPackets ?? 64;
    const len = opts.byteLength ?? this.maxPackets * (ENTRY_BYTES + 1600);
    this.size = this.maxPackets * ENTRY_BYTES;
    if (len < this.size + 64) throw new RangeError("EspBatch: byteLength too small for its entry table");
    this.attach(opts.shared ? new SharedArrayBuffer(len) : new ArrayBuffer(len));
  }

  /**
   * A read-only view of another batch's results, in place: its buffer now (`buf`) or at each
   * attach() (the same buffer again costs nothing). Used where a batch's buffer crosses threads
   * and the receiver reads statuses, lengths and data without copying.
   */
  static view(buf?: ArrayBuffer | SharedArrayBuffer): EspBatch {
    const b = new EspBatch({ maxPackets: 1, byteLength: 128 }); // its own buffer is only a placeholder
    if (buf) b.attach(buf);
    return b;
  }

  /** True while the buffer has been transferred away (batch in flight to a Worker). */
  get detached(): boolean {
    return this.bytes.length === 0;
  }

  /** Empties the batch for reuse (keeps the buffer). Throws while the batch is in flight. */
  reset(): this {
    if (this.inFlight) throw inFlightError();
    this.count = 0;
    this.ok = 0;
    this.size = this.maxPackets * ENTRY_BYTES;
    return this;
  }

  /**
   * Reserves a seal slot for a `len`-byte payload and returns the offset in `bytes` where the
   * caller writes it (-1 when the batch is full). The slot has room for SEAL_OVERHEAD more bytes.
   */
  reserveSeal(handle: number, nextHeader: number, len: number): number {
    const off = this.entry(len, align8(len + SEAL_OVERHEAD));
    if (off < 0) return -1;
    const e = (this.count - 1) * ENTRY_BYTES;
    this.dv.setUint32(e + E_SA, handle >>> 0, true);
    this.dv.setUint32(e + E_NEXT_HEADER, nextHeader & 0xff, true);
    return off;
  }

  /** Copies a payload into a seal slot. Returns its index, or -1 when the batch is full. */
  addSeal(handle: number, nextHeader: number, payload: Uint8Array): number {
    const off = this.reserveSeal(handle, nextHeader, payload.length);
    if (off < 0) return -1;
    this.bytes.set(payload, off);
    return this.count - 1;
  }

  /**
   * Copies a BEET UDP segment (RFC 7402 §3.1: UDP header + data; its checksum field is
   * overwritten) into a seal slot, next header 17; the data plane fills the UDP checksum (RFC 768)
   * from `pseudo`, the pseudo-header sum over the HITs (RFC 8200 §8.1; beet-udp.ts `pseudoSum`,
   * any width: folded here), next to the seal. Returns its index, or -1 when the batch is full.
   * A segment shorter than 8 bytes comes back Malformed.
   */
  addSealUdp(handle: number, pseudo: number, segment: Uint8Array): number {
    const off = this.reserveSeal(handle, IPPROTO_UDP, segment.length);
    if (off < 0) return -1;
    this.bytes.set(segment, off);
    let p = pseudo;
    while (p > 0xffff) p = (p & 0xffff) + Math.floor(p / 0x10000);
    this.dv.setUint32((this.count - 1) * ENTRY_BYTES + E_NEXT_HEADER, (IPPROTO_UDP | BATCH_UDP | (p << 16)) >>> 0, true);
    return this.count - 1;
  }

  /** Reserves an open slot for a `len`-byte ESP packet; returns where to write it (-1: full). */
  reserveOpen(len: number): number {
    return this.entry(len, align8(len));
  }

  /** Copies an ESP packet into an open slot. Returns its index, or -1 when the batch is full. */
  addOpen(packet: Uint8Array): number {
    const off = this.reserveOpen(packet.length);
    if (off < 0) return -1;
    this.bytes.set(packet, off);
    return this.count - 1;
  }

  /** Status of packet i after processing. */
  status(i: number): EspStatus {
    return this.dv.getUint32(i * ENTRY_BYTES + E_STATUS, true) as EspStatus;
  }
  /** Sequence number of packet i. */
  seq(i: number): number {
    return this.dv.getUint32(i * ENTRY_BYTES + E_SEQ, true);
  }
  /** SPI of packet i. */
  spi(i: number): number {
    return this.dv.getUint32(i * ENTRY_BYTES + E_SPI, true);
  }
  /** Seal: the outbound handle given. Open: the inbound SA handle matched by SPI (0 if none). */
  handle(i: number): number {
    return this.dv.getUint32(i * ENTRY_BYTES + E_SA, true);
  }
  /** Next Header of packet i (open: of the payload). */
  nextHeader(i: number): number {
    return this.dv.getUint32(i * ENTRY_BYTES + E_NEXT_HEADER, true) & 0xff;
  }
  /** Open: the folded RFC 1071 sum of payload i (what `decodeBeetUdp` takes as `segSum`); 0 unless Ok. */
  payloadSum(i: number): number {
    return this.dv.getUint32(i * ENTRY_BYTES + E_NEXT_HEADER, true) >>> 16;
  }
  /** Seal: ESP packet length. Open: payload length (0 unless Ok). */
  length(i: number): number {
    return this.dv.getUint32(i * ENTRY_BYTES + E_LEN, true);
  }
  /** Offset in `bytes` of the result: the ESP packet (seal) or the decrypted payload (open). */
  offset(i: number): number {
    return this.dv.getUint32(i * ENTRY_BYTES + E_PAYLOAD_OFF, true);
  }
  /** A view (no copy) of result i: packet (seal) or payload (open). Valid until reset/reuse. */
  data(i: number): Uint8Array {
    const off = this.offset(i);
    return this.bytes.subarray(off, off + this.length(i));
  }

  /** Gives up the buffer (to transfer it); the batch is unusable until attach(). */
  detach(): ArrayBuffer | SharedArrayBuffer {
    const buf = this.bytes.buffer;
    if (!isShared(buf)) {
      this.bytes = DETACHED;
      this.dv = new DataView(DETACHED.buffer);
    }
    return buf;
  }

  /** Adopts a (returned) buffer as the batch buffer. */
  attach(buf: ArrayBuffer | SharedArrayBuffer): void {
    if (this.bytes.buffer === buf) return;
    this.bytes = new Uint8Array(buf);
    this.dv = new DataView(buf);
  }

  private entry(len: number, slot: number): number {
    if (this.inFlight) throw inFlightError();
    const off = this.size;
    if (this.count >= this.maxPackets || off + slot > this.bytes.length || len > 65535) return -1;
    const e = this.count * ENTRY_BYTES;
    const dv = this.dv;
    dv.setUint32(e + E_OFF, off, true);
    dv.setUint32(e + E_LEN, len, true);
    dv.setUint32(e + E_SA, 0, true);
    dv.setUint32(e + E_STATUS, 0, true);
    dv.setUint32(e + E_NEXT_HEADER, 0, true);
    this.count++;
    this.size = off + slot;
    return off;
  }
}
