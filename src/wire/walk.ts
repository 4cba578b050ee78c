// Parameter walk (RFC 7401 §5.2.1): TLV Type(16) Length(16) Value, padded to a multiple of 8;
// Length excludes the padding. Types must be non-decreasing (equal types may repeat, e.g.
// REA_INFO ×n; decreasing is PARAM_ORDER). Two implementations with one contract:
// WASM (assembly/wire/walk.ts) and plain TypeScript (walkParamsTsInto), see docs/PROTOCOL.md §3.
import type { HipmmExports } from "../wasm/loader.ts";
import { loadWasmSync } from "../wasm/loader.ts";
import { HIP_HEADER_LEN } from "./constants.ts";
import { type Err, err, ok, type Result, WireErrorCode as E, type WireErrorCode } from "./error.ts";

/** Result codes shared by both walks (negative = error). */
export const WALK_ERR_TRUNCATED = -1;
export const WALK_ERR_OVERRUN = -2;
export const WALK_ERR_ORDER = -3;
export const WALK_ERR_INPUT = -4;

/** Index of the TLVs of one packet: entry i = (type, offset of the TLV's Type field, Length). */
export class ParamIndex {
  /** `entries` holds count triples [type, tlvOffset, length]. */
  constructor(
    readonly entries: Int32Array,
    readonly count: number,
  ) {}
  type(i: number): number {
    return this.entries[3 * i];
  }
  /** Offset of the TLV header (the value starts 4 bytes later). */
  offset(i: number): number {
    return this.entries[3 * i + 1];
  }
  /** The Length field (value bytes, no padding). */
  length(i: number): number {
    return this.entries[3 * i + 2];
  }
  valueOffset(i: number): number {
    return this.entries[3 * i + 1] + 4;
  }
  /** Offset just after the TLV's padding. */
  end(i: number): number {
    return this.entries[3 * i + 1] + ((this.entries[3 * i + 2] + 11) & ~7);
  }
  /** First entry with this type, or -1. */
  find(type: number): number {
    for (let i = 0; i < this.count; i++) if (this.entries[3 * i] === type) return i;
    return -1;
  }
}

let walkErrOffset = 0;

/** Offset of the last error returned by walkParamsTsInto. */
export function walkTsErrorOffset(): number {
  return walkErrOffset;
}

/**
 * Plain TypeScript walk over bytes[start, bytes.length) writing triples into `out` from `base`
 * (needs 3 * ceil((len - start) / 8) slots there). Returns the count or a WALK_ERR_* code.
 */
export function walkParamsTsInto(bytes: Uint8Array, start: number, out: Int32Array, base = 0): number {
  const len = bytes.length;
  if (start < 0 || start > len || out.length - base < 3 * Math.ceil((len - start) / 8)) {
    walkErrOffset = 0;
    return WALK_ERR_INPUT;
  }
  let pos = start;
  let k = base;
  let count = 0;
  let prev = -1;
  while (pos < len) {
    const left = len - pos;
    if (left < 4) {
      walkErrOffset = pos;
      return WALK_ERR_TRUNCATED;
    }
    const type = (bytes[pos] << 8) | bytes[pos + 1];
    const length = (bytes[pos + 2] << 8) | bytes[pos + 3];
    const total = (length + 11) & ~7;
    if (total > left) {
      walkErrOffset = pos;
      return WALK_ERR_OVERRUN;
    }
    if (type < prev) {
      walkErrOffset = pos;
      return WALK_ERR_ORDER;
    }
    out[k] = type;
    out[k + 1] = pos;
    out[k + 2] = length;
    k += 3;
    count++;
    prev = type;
    pos += total;
  }
  walkErrOffset = 0;
  return count;
}

type WalkExports = HipmmExports & {
  walkInputPtr(): number;
  walkIndexPtr(): number;
  walkMaxBytes(): number;
  walkErrorOffset(): number;
  walkParams(len: number, start: number): number;
  walkParamsAt(ptr: number, len: number, start: number): number;
  walkBatchInputPtr(): number;
  walkBatchInputBytes(): number;
  walkBatchDescPtr(): number;
  walkBatchOutPtr(): number;
  walkBatchIndexPtr(): number;
  walkBatchMaxPackets(): number;
  walkBatchIndexEntries(): number;
  walkBatch(n: number, start: number): number;
};

/** Ints per packet record of a batch walk: status, errorOffset, count, indexStart. */
export const WALK_BATCH_RECORD = 4;

/**
 * Per-packet results and the shared index of one batch walk (WASM or TS). Accessors take the
 * packet's position in the batch (0..size-1) and never allocate, except result()/paramIndex().
 * A walker reuses one instance: it is valid until that walker's next batch (and, for WASM, until
 * memory grows).
 */
export class BatchWalkResult {
  /** Packets walked: packets[from .. from + size) of the array handed in. */
  size = 0;
  from = 0;
  constructor(
    /** WALK_BATCH_RECORD ints per packet: (count or WALK_ERR_*, errorOffset, count, indexStart). */
    public records: Int32Array,
    /** Shared index: triples (type, tlvOffset, length); packet i owns entries indexStart(i) .. +count(i). */
    public index: Int32Array,
    /** Two ints per packet: (pointer, length); only the lengths are used here. */
    public desc: Int32Array,
  ) {}
  /** The walk's return value for packet i: entry count (>= 0) or WALK_ERR_*. */
  status(i: number): number {
    return this.records[4 * i];
  }
  ok(i: number): boolean {
    return this.records[4 * i] >= 0;
  }
  errorOffset(i: number): number {
    return this.records[4 * i + 1];
  }
  /** Entries of packet i (0 when its walk failed). */
  count(i: number): number {
    return this.records[4 * i + 2];
  }
  /** First entry of packet i in `index`. */
  indexStart(i: number): number {
    return this.records[4 * i + 3];
  }
  packetLength(i: number): number {
    return this.desc[2 * i + 1];
  }
  /** Type of the j-th parameter of packet i. */
  type(i: number, j: number): number {
    return this.index[3 * (this.records[4 * i + 3] + j)];
  }
  /** Offset of the j-th TLV of packet i (its Type field). */
  offset(i: number, j: number): number {
    return this.index[3 * (this.records[4 * i + 3] + j) + 1];
  }
  /** Length field of the j-th parameter of packet i. */
  length(i: number, j: number): number {
    return this.index[3 * (this.records[4 * i + 3] + j) + 2];
  }
  valueOffset(i: number, j: number): number {
    return this.offset(i, j) + 4;
  }
  /** First parameter of packet i with this type, or -1. */
  find(i: number, type: number): number {
    const s = this.records[4 * i + 3];
    const n = this.records[4 * i + 2];
    for (let j = 0; j < n; j++) if (this.index[3 * (s + j)] === type) return j;
    return -1;
  }
  /** Packet i as walkParamsTs would return it (allocates: a copied index or an Err). */
  result(i: number): Result<ParamIndex> {
    const n = this.status(i);
    if (n < 0) return walkError(n, this.errorOffset(i), this.packetLength(i));
    const s = 3 * this.indexStart(i);
    return ok(new ParamIndex(this.index.slice(s, s + 3 * n), n));
  }
}

/** The WASM walk, bound to one instance. Reuses its views; no allocation per call. */
export class WasmWalker {
  readonly maxBytes: number;
  /** Batch limits: packets per call and bytes of the batch input region. */
  readonly batchMaxPackets: number;
  readonly batchInputBytes: number;
  /** Address of the batch input region in WASM memory (for walkBatchDescribed descriptors). */
  readonly batchInputPtr: number;
  private readonly inPtr: number;
  private readonly indexPtr: number;
  private buffer: ArrayBuffer | undefined;
  private input = new Uint8Array(0);
  private bIn = new Uint8Array(0);
  private bDesc = new Int32Array(0);
  private readonly walkFn: (len: number, start: number) => number;
  private readonly walkAtFn: (ptr: number, len: number, start: number) => number;
  private readonly batchFn: (n: number, start: number) => number;
  private readonly batch: BatchWalkResult;
  /** View of the WASM index; valid until the next walk on this walker. */
  index = new Int32Array(0);

  constructor(private readonly ex: WalkExports) {
    this.maxBytes = ex.walkMaxBytes();
    this.inPtr = ex.walkInputPtr();
    this.indexPtr = ex.walkIndexPtr();
    this.batchMaxPackets = ex.walkBatchMaxPackets();
    this.batchInputBytes = ex.walkBatchInputBytes();
    this.batchInputPtr = ex.walkBatchInputPtr();
    this.walkFn = ex.walkParams;
    this.walkAtFn = ex.walkParamsAt;
    this.batchFn = ex.walkBatch;
    this.batch = new BatchWalkResult(new Int32Array(0), new Int32Array(0), new Int32Array(0));
    this.refresh();
  }

  // memory.grow detaches the old buffer, which empties every view (length 0): that is the cheap
  // per-call test; the views are re-created only then.
  private refresh(): void {
    const buf = this.ex.memory.buffer;
    if (buf === this.buffer) return;
    this.buffer = buf;
    const ex = this.ex;
    this.input = new Uint8Array(buf, this.inPtr, this.maxBytes);
    this.index = new Int32Array(buf, this.indexPtr, (this.maxBytes / 8) * 3);
    this.bIn = new Uint8Array(buf, this.batchInputPtr, this.batchInputBytes);
    this.bDesc = new Int32Array(buf, ex.walkBatchDescPtr(), 2 * this.batchMaxPackets);
    this.batch.desc = this.bDesc;
    this.batch.records = new Int32Array(buf, ex.walkBatchOutPtr(), WALK_BATCH_RECORD * this.batchMaxPackets);
    this.batch.index = new Int32Array(buf, ex.walkBatchIndexPtr(), 3 * ex.walkBatchIndexEntries());
  }

  /** Count or WALK_ERR_*; entries in `this.index`. Input longer than maxBytes → WALK_ERR_INPUT. */
  walkInto(bytes: Uint8Array, start: number): number {
    const len = bytes.length;
    if (len > this.maxBytes) return WALK_ERR_INPUT;
    if (this.input.length === 0) this.refresh();
    this.input.set(bytes);
    return this.walkFn(len, start);
  }

  /** Walks len bytes at WASM address ptr in place (count or WALK_ERR_*; entries in `this.index`). */
  walkAt(ptr: number, len: number, start: number): number {
    if (this.input.length === 0) this.refresh();
    return this.walkAtFn(ptr, len, start);
  }

  /** Walks again over the bytes already copied in by the last walkInto (measures the bare walk). */
  rewalk(len: number, start: number): number {
    return this.walkFn(len, start);
  }

  errorOffset(): number {
    return this.ex.walkErrorOffset();
  }

  /** The batch input region (64 KiB): receive packets straight into it, then walkBatchDescribed. */
  get batchInput(): Uint8Array {
    if (this.input.length === 0) this.refresh();
    return this.bIn;
  }

  /** Batch descriptors: packet i at [2i] = WASM address, [2i + 1] = length. */
  get batchDesc(): Int32Array {
    if (this.input.length === 0) this.refresh();
    return this.bDesc;
  }

  /**
   * Copies packets[from..] into the batch input region (each 8-byte aligned) as far as they fit
   * (at most batchMaxPackets and batchInputBytes) and walks them all in one WASM call. A packet
   * longer than the whole region gets WALK_ERR_INPUT. Check `size` and call again from
   * `from + size` when it is short of the rest.
   */
  walkBatch(packets: readonly Uint8Array[], start: number = HIP_HEADER_LEN, from = 0): BatchWalkResult {
    if (this.input.length === 0) this.refresh();
    const input = this.bIn;
    const desc = this.bDesc;
    const cap = this.batchInputBytes;
    const base = this.batchInputPtr;
    const n = Math.min(packets.length - from, this.batchMaxPackets);
    let off = 0;
    let k = 0;
    for (; k < n; k++) {
      const p = packets[from + k];
      const len = p.length;
      if (len > cap) {
        desc[2 * k] = 0; // the walk answers WALK_ERR_INPUT
      } else if (off + len > cap) {
        break;
      } else {
        input.set(p, off);
        desc[2 * k] = base + off;
        off = (off + len + 7) & ~7;
      }
      desc[2 * k + 1] = len;
    }
    return this.finishBatch(from, k, start);
  }

  /**
   * Walks n packets the caller already placed in WASM memory (e.g. in batchInput) and described
   * in batchDesc. Returns the shared result; its size may be short of n when the index is full.
   */
  walkBatchDescribed(n: number, start: number = HIP_HEADER_LEN): BatchWalkResult {
    if (this.input.length === 0) this.refresh();
    return this.finishBatch(0, Math.min(n, this.batchMaxPackets), start);
  }

  private finishBatch(from: number, n: number, start: number): BatchWalkResult {
    const r = this.batch;
    r.from = from;
    r.size = this.batchFn(n, start);
    return r;
  }
}

/** The same batch walk in TypeScript (used when WASM is not bound; the bench's baseline). */
export class TsBatchWalker {
  private readonly batch = new BatchWalkResult(new Int32Array(64 * 4), new Int32Array(3 * 1024), new Int32Array(64 * 2));

  /** Walks every packet of packets[from..]; the result is reused by the next call. */
  walkBatch(packets: readonly Uint8Array[], start: number = HIP_HEADER_LEN, from = 0): BatchWalkResult {
    const r = this.batch;
    const n = Math.max(0, packets.length - from);
    let need = 0;
    for (let k = 0; k < n; k++) need += Math.max(0, Math.ceil((packets[from + k].length - start) / 8));
    if (r.records.length < 4 * n) {
      r.records = new Int32Array(4 * n);
      r.desc = new Int32Array(2 * n);
    }
    if (r.index.length < 3 * need) r.index = new Int32Array(3 * need);
    const rec = r.records;
    const index = r.index;
    let used = 0;
    for (let k = 0; k < n; k++) {
      const p = packets[from + k];
      r.desc[2 * k + 1] = p.length;
      const s = walkParamsTsInto(p, start, index, 3 * used);
      const count = Math.max(s, 0);
      rec[4 * k] = s;
      rec[4 * k + 1] = walkErrOffset;
      rec[4 * k + 2] = count;
      rec[4 * k + 3] = used;
      used += count;
    }
    r.from = from;
    r.size = n;
    return r;
  }
}

let wasmWalker: WasmWalker | undefined;

/**
 * Binds the WASM walk. With no argument, instantiates the embedded module synchronously
 * (fails quietly on a browser main thread; the TS walk is then used). Returns true when bound.
 */
export function initWireWasm(exports?: HipmmExports): boolean {
  try {
    const ex = (exports ?? loadWasmSync()) as WalkExports;
    if (typeof ex.walkParams !== "function") return false;
    wasmWalker = new WasmWalker(ex);
    return true;
  } catch {
    return false;
  }
}

/** The bound WASM walker, if any. */
export function wireWasm(): WasmWalker | undefined {
  return wasmWalker;
}

function toResult(n: number, bytes: Uint8Array, errOffset: number, entries: Int32Array): Result<ParamIndex> {
  if (n >= 0) return ok(new ParamIndex(entries.slice(0, 3 * n), n));
  return walkError(n, errOffset, bytes.length);
}

export function walkError(n: number, offset: number, len: number): Err {
  const code: WireErrorCode = n === WALK_ERR_TRUNCATED ? E.PARAM_TRUNCATED : n === WALK_ERR_OVERRUN ? E.PARAM_OVERRUN : n === WALK_ERR_ORDER ? E.PARAM_ORDER : E.TRUNCATED;
  const msg =
    n === WALK_ERR_TRUNCATED
      ? `${len - offset} bytes left, TLV header needs 4`
      : n === WALK_ERR_OVERRUN
        ? "parameter Length runs past the end of the packet"
        : n === WALK_ERR_ORDER
          ? "parameter type smaller than the previous one"
          : "walk start outside the buffer";
  return err(code, offset, msg);
}

/** TypeScript walk with a fresh index. */
export function walkParamsTs(bytes: Uint8Array, start = HIP_HEADER_LEN): Result<ParamIndex> {
  const out = new Int32Array(3 * Math.max(1, Math.ceil((bytes.length - start) / 8)));
  const n = walkParamsTsInto(bytes, start, out);
  return toResult(n, bytes, walkErrOffset, out);
}

let tsBatch: TsBatchWalker | undefined;

/**
 * Batched walk (RFC 7401 §5.2.1 rules for every packet): WASM when bound (one call for the whole
 * batch, packets copied into WASM memory), else TypeScript. Walks packets[from..] as far as fits
 * (WASM: 256 packets / 64 KiB per call): check `size`. The result is shared and reused.
 */
export function walkParamsBatch(packets: readonly Uint8Array[], start: number = HIP_HEADER_LEN, from = 0): BatchWalkResult {
  const w = wasmWalker;
  if (w !== undefined) return w.walkBatch(packets, start, from);
  tsBatch ??= new TsBatchWalker();
  return tsBatch.walkBatch(packets, start, from);
}

/** Walk with the WASM module when bound (initWireWasm) and the input fits, else the TS walk. */
export function walkParams(bytes: Uint8Array, start = HIP_HEADER_LEN): Result<ParamIndex> {
  const w = wasmWalker;
  if (w === undefined || bytes.length > w.maxBytes) return walkParamsTs(bytes, start);
  const n = w.walkInto(bytes, start);
  return toResult(n, bytes, n < 0 ? w.errorOffset() : 0, w.index);
}
