// In-process, synchronous ESP data plane over the hipmm WASM module (RFC 4303 / RFC 7402 BEET).
// Packets go through one preallocated WASM arena; single-packet calls are batches of one.
import { type HipmmExports, loadWasmSync } from "../wasm/loader.ts";
import {
  decodeOpenBatch, decodeSealBatch, E_LEN, E_NEXT_HEADER, E_OFF, E_PAYLOAD_OFF, E_SA, E_SEQ, E_SPI, E_STATUS,
  ENTRY_BYTES, encodeOpenBatch, encodeSealBatch, openBatchBytes, SEAL_OVERHEAD, sealBatchBytes,
} from "./batch.ts";
import { WasmCrypto } from "./crypto.ts";
import type { BatchOp, EspBatch } from "./espbatch.ts";
import {
  type EspStatus, type EspSuite, type OpenResult, type SaParams, type SaStats, type SealRequest,
  type SealResult, EspStatus as S,
} from "./types.ts";
import { type EspWasm, WasmMemory } from "./wasm.ts";

const DEFAULT_ARENA = 256 * 1024;
const MAX_PAYLOAD = 65535;
const EMPTY = new Uint8Array(0);

export class DataPlane {
  readonly crypto: WasmCrypto;
  /** Status of the last seal() (seal returns an empty array when it is not Ok). */
  lastStatus: EspStatus = S.Ok;
  private readonly wasm: EspWasm;
  private readonly mem: WasmMemory;
  private arena: number;
  private arenaSize: number;
  private readonly statsBuf: number;

  constructor(exports: HipmmExports = loadWasmSync(), arenaBytes = DEFAULT_ARENA) {
    this.crypto = new WasmCrypto(exports);
    this.wasm = this.crypto.wasm;
    this.arenaSize = Math.max(arenaBytes, ENTRY_BYTES + MAX_PAYLOAD + SEAL_OVERHEAD);
    this.arena = this.wasm.cryptoAlloc(this.arenaSize);
    this.statsBuf = this.wasm.cryptoAlloc(80);
    this.mem = new WasmMemory(this.wasm.memory);
  }

  /** Installs an SA; returns its handle (≥ 1). Throws RangeError on bad parameters (control plane). */
  installSa(p: SaParams): number {
    const seed = p.ivSeed ?? EMPTY;
    const keys = this.arena + ENTRY_BYTES;
    const m = this.mem.bytes;
    m.set(p.encKey, keys);
    m.set(p.authKey, keys + p.encKey.length);
    m.set(seed, keys + p.encKey.length + p.authKey.length);
    const h = this.wasm.espSaInstall(
      p.spi >>> 0, p.suite, p.direction === "in" ? 1 : 2, keys, p.encKey.length, p.authKey.length, seed.length,
      p.replayWindow ?? 1024, p.initialSeq ?? 0,
    );
    this.mem.bytes.fill(0, keys, keys + p.encKey.length + p.authKey.length + seed.length);
    if (h === -2) throw new RangeError(`inbound SPI 0x${(p.spi >>> 0).toString(16)} already installed`);
    if (h === -3) throw new RangeError("SA table full");
    if (h < 0) throw new RangeError(`bad SA parameters (suite ${p.suite}, enc ${p.encKey.length} B, auth ${p.authKey.length} B)`);
    return h;
  }

  /** Removes an SA (keys wiped). Returns false when the handle was unknown. */
  removeSa(handle: number): boolean {
    return this.wasm.espSaRemove(handle) === 1;
  }

  /** Inbound SA handle for an SPI, or 0. */
  lookupSpi(spi: number): number {
    return this.wasm.espSaLookup(spi >>> 0);
  }

  /** Seals one packet: SPI, seq, IV, ciphertext, ICV. Empty array on failure (see lastStatus). */
  seal(handle: number, nextHeader: number, payload: Uint8Array): Uint8Array {
    const n = this.sealInArena(handle, nextHeader, payload);
    if (n === 0) return EMPTY;
    const p = this.arena + ENTRY_BYTES;
    return this.mem.bytes.slice(p, p + n);
  }

  /**
   * Seals one packet into `out` at `offset` (no allocation). Returns the ESP packet length, or 0
   * when it was not sealed (lastStatus says why; NoSpace also when `out` is too small).
   */
  sealInto(handle: number, nextHeader: number, payload: Uint8Array, out: Uint8Array, offset = 0): number {
    const n = this.sealInArena(handle, nextHeader, payload);
    if (n === 0) return 0;
    if (offset < 0 || offset + n > out.length) {
      this.lastStatus = S.NoSpace;
      return 0;
    }
    const p = this.arena + ENTRY_BYTES;
    out.set(this.mem.bytes.subarray(p, p + n), offset);
    return n;
  }

  /** Seals one packet and reports status and sequence number. */
  sealOne(handle: number, nextHeader: number, payload: Uint8Array): SealResult {
    const n = this.sealInArena(handle, nextHeader, payload);
    if (n === 0) return { status: this.lastStatus, packet: EMPTY, seq: 0, spi: 0 };
    const a = this.arena;
    const dv = this.mem.view;
    return {
      status: S.Ok,
      packet: this.mem.bytes.slice(a + ENTRY_BYTES, a + ENTRY_BYTES + n),
      seq: dv.getUint32(a + E_SEQ, true),
      spi: dv.getUint32(a + E_SPI, true),
    };
  }

  /** Seals one packet at arena + ENTRY_BYTES; returns its length (0 on failure, lastStatus set). */
  private sealInArena(handle: number, nextHeader: number, payload: Uint8Array): number {
    if (payload.length > MAX_PAYLOAD) {
      this.lastStatus = S.NoSpace;
      return 0;
    }
    const a = this.arena;
    const dv = this.mem.view;
    dv.setUint32(a + E_OFF, ENTRY_BYTES, true);
    dv.setUint32(a + E_LEN, payload.length, true);
    dv.setUint32(a + E_SA, handle >>> 0, true);
    dv.setUint32(a + E_NEXT_HEADER, nextHeader & 0xff, true);
    this.mem.bytes.set(payload, a + ENTRY_BYTES);
    this.wasm.espSealBatch(a, ENTRY_BYTES + payload.length + SEAL_OVERHEAD, 1);
    const status = dv.getUint32(a + E_STATUS, true) as EspStatus;
    this.lastStatus = status;
    return status === S.Ok ? dv.getUint32(a + E_LEN, true) : 0;
  }

  /** Verifies, replay-checks and decrypts one ESP packet with the inbound SA named by its SPI. */
  open(packet: Uint8Array): OpenResult {
    if (packet.length > this.arenaSize - ENTRY_BYTES) {
      return { status: S.NoSpace, spi: 0, seq: 0, handle: 0, nextHeader: 0, payload: EMPTY };
    }
    const a = this.arena;
    const dv = this.mem.view;
    dv.setUint32(a + E_OFF, ENTRY_BYTES, true);
    dv.setUint32(a + E_LEN, packet.length, true);
    this.mem.bytes.set(packet, a + ENTRY_BYTES);
    this.wasm.espOpenBatch(a, ENTRY_BYTES + packet.length, 1);
    const status = dv.getUint32(a + E_STATUS, true) as EspStatus;
    const off = a + dv.getUint32(a + E_PAYLOAD_OFF, true);
    return {
      status,
      spi: dv.getUint32(a + E_SPI, true),
      seq: dv.getUint32(a + E_SEQ, true),
      handle: dv.getUint32(a + E_SA, true),
      nextHeader: dv.getUint32(a + E_NEXT_HEADER, true),
      payload: status === S.Ok ? this.mem.bytes.slice(off, off + dv.getUint32(a + E_LEN, true)) : EMPTY,
    };
  }

  /** Seals many packets in one WASM call. */
  sealBatch(items: readonly SealRequest[]): SealResult[] {
    const size = sealBatchBytes(items);
    this.ensureArena(size);
    encodeSealBatch(this.mem.bytes, this.arena, items);
    this.wasm.espSealBatch(this.arena, size, items.length);
    return decodeSealBatch(this.mem.bytes, this.arena, items.length);
  }

  /** Opens many packets in one WASM call. */
  openBatch(packets: readonly Uint8Array[]): OpenResult[] {
    const size = openBatchBytes(packets);
    this.ensureArena(size);
    encodeOpenBatch(this.mem.bytes, this.arena, packets);
    this.wasm.espOpenBatch(this.arena, size, packets.length);
    return decodeOpenBatch(this.mem.bytes, this.arena, packets.length);
  }

  /**
   * Runs a batch already encoded in the batch layout (src/esp/batch.ts) in place on the first
   * `size` bytes of `buf`: copied into WASM, processed and copied back. Returns the number of Ok packets.
   */
  runBatch(op: BatchOp, buf: Uint8Array, n: number, size = buf.length): number {
    if (op !== "seal" && op !== "open") throw new TypeError(`unknown batch op ${String(op)}`);
    if (size > buf.length) throw new RangeError("batch size exceeds its buffer");
    this.ensureArena(size);
    const m = this.mem.bytes;
    m.set(buf.subarray(0, size), this.arena);
    const ok =
      op === "seal" ? this.wasm.espSealBatch(this.arena, size, n) : this.wasm.espOpenBatch(this.arena, size, n);
    buf.set(this.mem.bytes.subarray(this.arena, this.arena + size));
    return ok;
  }

  /** Seals or opens an EspBatch in place (results read back from the batch). Returns #Ok. */
  process(op: BatchOp, batch: EspBatch): number {
    batch.ok = this.runBatch(op, batch.bytes, batch.count, batch.size);
    return batch.ok;
  }

  stats(handle: number): SaStats | undefined {
    if (!this.wasm.espSaStats(handle, this.statsBuf)) return undefined;
    const f = new Float64Array(this.wasm.memory.buffer, this.statsBuf, 10);
    return {
      spi: f[0],
      suite: f[1] as EspSuite,
      direction: f[2] === 1 ? "in" : "out",
      seq: f[3],
      packets: f[4],
      bytes: f[5],
      authFailures: f[6],
      replays: f[7],
      malformed: f[8],
      rekeys: f[9],
    };
  }

  /** A batch larger than any before grows the arena (allocation outside the per-packet path). */
  private ensureArena(size: number): void {
    if (size <= this.arenaSize) return;
    this.arenaSize = Math.max(size, this.arenaSize * 2);
    this.arena = this.wasm.cryptoAlloc(this.arenaSize);
  }
}
