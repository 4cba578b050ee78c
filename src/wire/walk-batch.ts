// Batch walk results (RFC 7401 §5.2.1 rules per packet) and the TypeScript batch walker;
// the WASM batch walker is WasmWalker (walk-wasm.ts).
import { HIP_HEADER_LEN } from "./constants.ts";
import { ok, type Result } from "./error.ts";
import { ParamIndex, walkError, walkParamsTsInto, walkTsErrorOffset } from "./walk-ts.ts";

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
  /** Index of the first packet of this batch in the array handed in. */
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
  /** True when packet i walked without error. */
  ok(i: number): boolean {
    return this.records[4 * i] >= 0;
  }
  /** Offset of packet i's walk error (when not ok). */
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
  /** Length of packet i (bytes). */
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
  /** Offset of the value of the j-th parameter of packet i. */
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
      rec[4 * k + 1] = walkTsErrorOffset();
      rec[4 * k + 2] = count;
      rec[4 * k + 3] = used;
      used += count;
    }
    r.from = from;
    r.size = n;
    return r;
  }
}
