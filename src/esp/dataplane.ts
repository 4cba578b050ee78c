// In-process, synchronous ESP data plane over the hipmm WASM module (RFC 4303 / RFC 7402 BEET).
// Packets go through one preallocated WASM arena: per-packet calls (espSeal / espOpen) use its
// first slot, batches (espSealBatch / espOpenBatch) the whole arena.
import { type HipmmExports, loadWasmSync } from "../wasm/instantiate.ts";
import {
  decodeOpenBatch, decodeSealBatch, ENTRY_BYTES, encodeOpenBatch, encodeSealBatch, openBatchBytes, SEAL_OVERHEAD, sealBatchBytes,
} from "./batch.ts";
import { WasmCrypto } from "./crypto.ts";
import { type BatchOp, type EspBatch, inFlightError } from "./espbatch.ts";
import {
  type EspStatus, type EspSuite, type OpenResult, type SaParams, type SaStats, type SealRequest,
  type SealResult, EspStatus as S,
} from "./types.ts";
import { Slab } from "../core/slab.ts";
import { type EspWasm, WasmMemory } from "./wasm.ts";

const DEFAULT_ARENA = 256 * 1024;
// Words of the per-packet result (assembly/esp/api.ts espResultPtr).
const R_HANDLE = 0;
const R_NEXT_HEADER = 2;
const R_SEQ = 3;
const R_SPI = 4;
const R_PAYLOAD_OFF = 5;
const R_PAYLOAD_LEN = 6;
const R_PAYLOAD_SUM = 7;
/** Below this many bytes a plain loop copies out faster than subarray + set (no view object; measured crossover ≈ 80 B). */
const SMALL_COPY = 64;

function copyOut(mem: Uint8Array, from: number, n: number, out: Uint8Array, at: number): void {
  if (n > SMALL_COPY) out.set(mem.subarray(from, from + n), at);
  else for (let i = 0; i < n; i++) out[at + i] = mem[from + i];
}
const MAX_PAYLOAD = 65535;
const EMPTY = new Uint8Array(0);

/** The WASM ESP data plane in this thread (RFC 4303 / RFC 7402 BEET): SA table, seal / open, batches. */
export class DataPlane {
  /** The module's hashes, HMAC and AES (shared memory with the data plane). */
  readonly crypto: WasmCrypto;
  /** Status of the last seal() (seal returns an empty array when it is not Ok). */
  lastStatus: EspStatus = S.Ok;
  private readonly wasm: EspWasm;
  private readonly mem: WasmMemory;
  private arena: number;
  private arenaSize: number;
  /** Per-packet slot (arena + one entry), and the word index of the WASM per-packet result. */
  private pkt: number;
  private readonly res: number;
  private readonly statsBuf: number;
  /** Where seal / sealOne / sealUdp / open copy their results (no allocation per packet). */
  private readonly out = new Slab();

  constructor(exports: HipmmExports = loadWasmSync(), arenaBytes = DEFAULT_ARENA) {
    this.crypto = new WasmCrypto(exports);
    this.wasm = this.crypto.wasm;
    this.arenaSize = Math.max(arenaBytes, ENTRY_BYTES + MAX_PAYLOAD + SEAL_OVERHEAD);
    this.arena = this.wasm.cryptoAlloc(this.arenaSize);
    this.pkt = this.arena + ENTRY_BYTES;
    this.res = this.wasm.espResultPtr() >>> 2;
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
    if (p.icvLen !== undefined && p.icvLen !== 16 && this.wasm.espSaSetIcvLen(h, p.icvLen) !== 1) {
      this.wasm.espSaRemove(h);
      throw new RangeError(`ICV length ${p.icvLen} not supported for suite ${p.suite}`);
    }
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
    const n = this.sealInArena(handle, nextHeader, payload, this.arenaSize - ENTRY_BYTES);
    if (n === 0) return EMPTY;
    return this.out.copy(this.mem.bytes, this.pkt, this.pkt + n);
  }

  /**
   * Seals one packet into `out` at `offset` (no allocation: the fastest per-packet seal). Returns
   * the ESP packet length, or 0 when it was not sealed (lastStatus says why; NoSpace, without
   * using a sequence number, when `out` is too small). lastSeq / lastSpi describe the packet.
   */
  sealInto(handle: number, nextHeader: number, payload: Uint8Array, out: Uint8Array, offset = 0): number {
    const room = out.length - offset;
    if (offset < 0 || room < 0) {
      this.lastStatus = S.NoSpace;
      return 0;
    }
    const n = this.sealInArena(handle, nextHeader, payload, Math.min(room, this.arenaSize - ENTRY_BYTES));
    if (n !== 0) copyOut(this.mem.bytes, this.pkt, n, out, offset);
    return n;
  }

  /** Seals one packet and reports status and sequence number (one result object: `seal` + lastSeq do without). */
  sealOne(handle: number, nextHeader: number, payload: Uint8Array): SealResult {
    const packet = this.seal(handle, nextHeader, payload);
    if (packet.length === 0) return { status: this.lastStatus, packet: EMPTY, seq: 0, spi: 0 };
    return { status: S.Ok, packet, seq: this.lastSeq, spi: this.lastSpi };
  }

  /**
   * Seals one BEET UDP datagram (RFC 7402 §3.1): the UDP header (RFC 768) is written and its
   * checksum computed in WASM next to the crypto, from `pseudo` = the unfolded sum of the
   * HIT pseudo-header words (beet-udp.ts `pseudoSum`), so the inner segment never exists in JS.
   * (sealUdpPacket with a result object.)
   */
  sealUdp(handle: number, pseudo: number, srcPort: number, dstPort: number, data: Uint8Array): SealResult {
    const packet = this.sealUdpPacket(handle, pseudo, srcPort, dstPort, data);
    if (packet.length === 0) return { status: this.lastStatus, packet: EMPTY, seq: 0, spi: 0 };
    return { status: S.Ok, packet, seq: this.lastSeq, spi: this.lastSpi };
  }

  /**
   * sealUdp without a result object (the stack's per-packet path): the ESP packet, or an empty
   * array when it was not sealed (lastStatus says why); lastSeq / lastSpi describe the packet.
   */
  sealUdpPacket(handle: number, pseudo: number, srcPort: number, dstPort: number, data: Uint8Array): Uint8Array {
    const len = data.length + 8;
    if (len > MAX_PAYLOAD) {
      this.lastStatus = S.NoSpace;
      return EMPTY;
    }
    const m = this.mem.bytes;
    const p = this.pkt;
    m[p] = srcPort >>> 8;
    m[p + 1] = srcPort & 0xff;
    m[p + 2] = dstPort >>> 8;
    m[p + 3] = dstPort & 0xff;
    m[p + 4] = len >>> 8;
    m[p + 5] = len & 0xff;
    if (data.length <= SMALL_COPY) for (let i = 0; i < data.length; i++) m[p + 8 + i] = data[i];
    else m.set(data, p + 8);
    const r = this.wasm.espSealUdp(handle >>> 0, p, len, this.arenaSize - ENTRY_BYTES, pseudo);
    if (r <= 0) {
      this.lastStatus = -r as EspStatus;
      return EMPTY;
    }
    this.lastStatus = S.Ok;
    return this.out.copy(this.mem.bytes, p, p + r);
  }

  /** Seals one packet at `pkt` (payload copied in, one WASM call); returns its length (0 on failure, lastStatus set). */
  private sealInArena(handle: number, nextHeader: number, payload: Uint8Array, cap: number): number {
    const len = payload.length;
    if (len > MAX_PAYLOAD) {
      this.lastStatus = S.NoSpace;
      return 0;
    }
    this.mem.bytes.set(payload, this.pkt);
    const r = this.wasm.espSeal(handle >>> 0, nextHeader, this.pkt, len, cap);
    if (r <= 0) {
      this.lastStatus = -r as EspStatus;
      return 0;
    }
    this.lastStatus = S.Ok;
    return r;
  }

  /** Verifies, replay-checks and decrypts one ESP packet with the inbound SA named by its SPI. */
  open(packet: Uint8Array): OpenResult {
    return this.openTo(packet, { status: S.Ok, spi: 0, seq: 0, handle: 0, nextHeader: 0, payload: EMPTY, payloadSum: 0 });
  }

  /** `open` writing its result into `r` (a caller's reusable object: no allocation but the payload copy). */
  openTo(packet: Uint8Array, r: OpenResult): OpenResult {
    const st = this.openInArena(packet);
    const w = this.mem.words;
    const b = this.res;
    const off = this.pkt + w[b + R_PAYLOAD_OFF];
    r.status = st;
    r.spi = w[b + R_SPI];
    r.seq = w[b + R_SEQ];
    r.handle = w[b + R_HANDLE];
    r.nextHeader = w[b + R_NEXT_HEADER];
    r.payload = st === S.Ok ? this.out.copy(this.mem.bytes, off, off + w[b + R_PAYLOAD_LEN]) : EMPTY;
    r.payloadSum = w[b + R_PAYLOAD_SUM];
    return r;
  }

  /**
   * Opens one packet and copies its payload into `out` at `offset` (no allocation: the fastest
   * per-packet open). Returns the payload length, or -1 when the packet was not delivered
   * (lastStatus says why; NoSpace when `out` is too small, after the packet was accepted).
   * lastSeq, lastSpi, lastHandle and lastNextHeader describe the packet.
   */
  openInto(packet: Uint8Array, out: Uint8Array, offset = 0): number {
    if (this.openInArena(packet) !== S.Ok) return -1;
    const w = this.mem.words;
    const n = w[this.res + R_PAYLOAD_LEN];
    if (offset < 0 || offset + n > out.length) {
      this.lastStatus = S.NoSpace;
      return -1;
    }
    copyOut(this.mem.bytes, this.pkt + w[this.res + R_PAYLOAD_OFF], n, out, offset);
    return n;
  }

  private openInArena(packet: Uint8Array): EspStatus {
    const len = packet.length;
    if (len > this.arenaSize - ENTRY_BYTES) {
      this.mem.words.fill(0, this.res, this.res + 8);
      this.lastStatus = S.NoSpace;
      return S.NoSpace;
    }
    this.mem.bytes.set(packet, this.pkt);
    const st = this.wasm.espOpen(this.pkt, len) as EspStatus;
    this.lastStatus = st;
    return st;
  }

  /** Sequence number of the last packet sealed or opened by a per-packet call. */
  get lastSeq(): number {
    return this.mem.words[this.res + R_SEQ];
  }
  /** SPI of the last packet sealed or opened by a per-packet call. */
  get lastSpi(): number {
    return this.mem.words[this.res + R_SPI];
  }
  /** Inbound SA handle matched by the last open (0 if none). */
  get lastHandle(): number {
    return this.mem.words[this.res + R_HANDLE];
  }
  /** Next header of the last packet opened (0 unless Ok). */
  get lastNextHeader(): number {
    return this.mem.words[this.res + R_NEXT_HEADER];
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
    if (batch.inFlight) throw inFlightError();
    batch.ok = this.runBatch(op, batch.bytes, batch.count, batch.size);
    return batch.ok;
  }

  /** Counters of an SA, undefined for an unknown handle. */
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
    this.pkt = this.arena + ENTRY_BYTES;
  }
}
