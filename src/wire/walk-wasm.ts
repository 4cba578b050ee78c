// The WASM parameter walk (assembly/wire/walk.ts, RFC 7401 §5.2.1), bound to one instance:
// single packets, packets in place and batches (docs/PROTOCOL.md §3). The wire layer does not
// load WASM (src/wasm is a layer above, ARCHITECTURE.md): the caller hands in an instance's
// exports, e.g. `initWireWasm(loadWasmSync())` or `bindWireWasm()` from src/wasm/wire-walk.ts.
import { HIP_HEADER_LEN } from "./constants.ts";
import { BatchWalkResult, WALK_BATCH_RECORD } from "./walk-batch.ts";
import { WALK_ERR_INPUT } from "./walk-ts.ts";

type WalkExports = WebAssembly.Exports & {
  readonly memory: WebAssembly.Memory;
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

/** The WASM walk, bound to one instance. Reuses its views; no allocation per call. */
export class WasmWalker {
  /** Largest packet one walk takes (bytes); longer input returns WALK_ERR_INPUT. */
  readonly maxBytes: number;
  /** Batch limits: packets per call and bytes of the batch input region. */
  readonly batchMaxPackets: number;
  /** Size of the batch input region (bytes). */
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

  /** Offset of the last walk error. */
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

let wasmWalker: WasmWalker | undefined;

/**
 * Binds the WASM walk to the exports of an instance of build/hipmm.wasm (src/wasm/loader.ts).
 * Returns true when bound; false (the TS walk stays in use) when the module lacks the walk.
 */
export function initWireWasm(exports: WebAssembly.Exports): boolean {
  try {
    const ex = exports as WalkExports;
    if (typeof ex.walkParams !== "function" || !(ex.memory instanceof WebAssembly.Memory)) return false;
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
