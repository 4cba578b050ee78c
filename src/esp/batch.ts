// The batch buffer layout shared by WASM (assembly/esp/api.ts), the in-process DataPlane and
// the Worker: n entries of 32 bytes, then packet slots (8-byte aligned). All offsets are
// relative to the start of the buffer; integers little-endian. docs/PROTOCOL.md §6.
import type { EspStatus, OpenResult, SealRequest, SealResult } from "./types.ts";

export const ENTRY_BYTES = 32;
/** Room a sealed packet may need beyond its payload (header, IV, padding, ICV). */
export const SEAL_OVERHEAD = 80; // = assembly/esp/packet.ts (ICV up to 32 bytes)

// Entry field offsets.
export const E_OFF = 0;
export const E_LEN = 4;
export const E_SA = 8;
export const E_STATUS = 12;
export const E_NEXT_HEADER = 16;
export const E_SEQ = 20;
export const E_SPI = 24;
export const E_PAYLOAD_OFF = 28;

const align8 = (n: number): number => (n + 7) & ~7;

/** Bytes a seal batch of these payload lengths needs. */
export function sealBatchBytes(items: readonly SealRequest[]): number {
  let n = items.length * ENTRY_BYTES;
  for (const it of items) n += align8(it.payload.length + SEAL_OVERHEAD);
  return n;
}

/** Bytes an open batch of these packets needs. */
export function openBatchBytes(packets: readonly Uint8Array[]): number {
  let n = packets.length * ENTRY_BYTES;
  for (const p of packets) n += align8(p.length);
  return n;
}

/** Writes a seal batch into `buf` at `base` (which must have sealBatchBytes() room). */
export function encodeSealBatch(buf: Uint8Array, base: number, items: readonly SealRequest[]): void {
  const dv = new DataView(buf.buffer, buf.byteOffset + base);
  let off = items.length * ENTRY_BYTES;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const e = i * ENTRY_BYTES;
    dv.setUint32(e + E_OFF, off, true);
    dv.setUint32(e + E_LEN, it.payload.length, true);
    dv.setUint32(e + E_SA, it.handle >>> 0, true);
    dv.setUint32(e + E_STATUS, 0, true);
    dv.setUint32(e + E_NEXT_HEADER, it.nextHeader & 0xff, true);
    buf.set(it.payload, base + off);
    off += align8(it.payload.length + SEAL_OVERHEAD);
  }
}

/** Writes an open batch into `buf` at `base`. */
export function encodeOpenBatch(buf: Uint8Array, base: number, packets: readonly Uint8Array[]): void {
  const dv = new DataView(buf.buffer, buf.byteOffset + base);
  let off = packets.length * ENTRY_BYTES;
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i];
    const e = i * ENTRY_BYTES;
    dv.setUint32(e + E_OFF, off, true);
    dv.setUint32(e + E_LEN, p.length, true);
    buf.set(p, base + off);
    off += align8(p.length);
  }
}

const EMPTY = new Uint8Array(0);

/** Reads n seal results (packets copied out of `buf`). */
export function decodeSealBatch(buf: Uint8Array, base: number, n: number): SealResult[] {
  const dv = new DataView(buf.buffer, buf.byteOffset + base);
  const out: SealResult[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const e = i * ENTRY_BYTES;
    const status = dv.getUint32(e + E_STATUS, true) as EspStatus;
    const off = base + dv.getUint32(e + E_OFF, true);
    out[i] = {
      status,
      packet: status === 0 ? buf.slice(off, off + dv.getUint32(e + E_LEN, true)) : EMPTY,
      seq: dv.getUint32(e + E_SEQ, true),
      spi: dv.getUint32(e + E_SPI, true),
    };
  }
  return out;
}

/** Reads n open results (payloads copied out of `buf`). */
export function decodeOpenBatch(buf: Uint8Array, base: number, n: number): OpenResult[] {
  const dv = new DataView(buf.buffer, buf.byteOffset + base);
  const out: OpenResult[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const e = i * ENTRY_BYTES;
    const status = dv.getUint32(e + E_STATUS, true) as EspStatus;
    const off = base + dv.getUint32(e + E_PAYLOAD_OFF, true);
    out[i] = {
      status,
      spi: dv.getUint32(e + E_SPI, true),
      seq: dv.getUint32(e + E_SEQ, true),
      handle: dv.getUint32(e + E_SA, true),
      nextHeader: dv.getUint32(e + E_NEXT_HEADER, true) & 0xff, // bits 16-31: the payload's RFC 1071 sum
      payload: status === 0 ? buf.slice(off, off + dv.getUint32(e + E_LEN, true)) : EMPTY,
    };
  }
  return out;
}
