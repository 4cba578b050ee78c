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
 * Plain TypeScript walk over bytes[start, bytes.length) writing triples into `out`
 * (needs 3 * ceil((len - start) / 8) slots). Returns the count or a WALK_ERR_* code.
 */
export function walkParamsTsInto(bytes: Uint8Array, start: number, out: Int32Array): number {
  const len = bytes.length;
  if (start < 0 || start > len || out.length < 3 * Math.ceil((len - start) / 8)) {
    walkErrOffset = 0;
    return WALK_ERR_INPUT;
  }
  let pos = start;
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
    const k = 3 * count;
    out[k] = type;
    out[k + 1] = pos;
    out[k + 2] = length;
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
};

/** The WASM walk, bound to one instance. Reuses its views; no allocation per call. */
export class WasmWalker {
  readonly maxBytes: number;
  private readonly inPtr: number;
  private readonly indexPtr: number;
  private buffer: ArrayBuffer | undefined;
  private input = new Uint8Array(0);
  private readonly walkFn: (len: number, start: number) => number;
  /** View of the WASM index; valid until the next walk on this walker. */
  index = new Int32Array(0);

  constructor(private readonly ex: WalkExports) {
    this.maxBytes = ex.walkMaxBytes();
    this.inPtr = ex.walkInputPtr();
    this.indexPtr = ex.walkIndexPtr();
    this.walkFn = ex.walkParams;
    this.refresh();
  }

  private refresh(): void {
    const buf = this.ex.memory.buffer;
    if (buf === this.buffer) return;
    this.buffer = buf;
    this.input = new Uint8Array(buf, this.inPtr, this.maxBytes);
    this.index = new Int32Array(buf, this.indexPtr, (this.maxBytes / 8) * 3);
  }

  /** Count or WALK_ERR_*; entries in `this.index`. Input longer than maxBytes → WALK_ERR_INPUT. */
  walkInto(bytes: Uint8Array, start: number): number {
    if (bytes.length > this.maxBytes) return WALK_ERR_INPUT;
    // memory.grow detaches the old buffer, which empties our views: rebuild them then.
    if (this.input.length === 0) this.refresh();
    this.input.set(bytes);
    return this.walkFn(bytes.length, start);
  }

  /** Walks again over the bytes already copied in by the last walkInto (measures the bare walk). */
  rewalk(len: number, start: number): number {
    return this.walkFn(len, start);
  }

  errorOffset(): number {
    return this.ex.walkErrorOffset();
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

/** Walk with the WASM module when bound (initWireWasm) and the input fits, else the TS walk. */
export function walkParams(bytes: Uint8Array, start = HIP_HEADER_LEN): Result<ParamIndex> {
  const w = wasmWalker;
  if (w === undefined || bytes.length > w.maxBytes) return walkParamsTs(bytes, start);
  const n = w.walkInto(bytes, start);
  return toResult(n, bytes, n < 0 ? w.errorOffset() : 0, w.index);
}
