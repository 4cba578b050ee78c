// Parameter walk (RFC 7401 §5.2.1): TLV Type(16) Length(16) Value, padded to a multiple of 8;
// Length excludes the padding. Types must be non-decreasing (equal types may repeat, e.g.
// REA_INFO ×n; decreasing is PARAM_ORDER). Two implementations with one contract:
// WASM (assembly/wire/walk.ts) and plain TypeScript (walkParamsTsInto), see docs/PROTOCOL.md §3.
// This file: the dispatching entry points; the walks live in walk-ts.ts, walk-wasm.ts and
// walk-batch.ts (re-exported here).
import { HIP_HEADER_LEN } from "./constants.ts";
import type { Result } from "./error.ts";
import { type BatchWalkResult, TsBatchWalker } from "./walk-batch.ts";
import { type ParamIndex, toResult, walkParamsTs } from "./walk-ts.ts";
import { wireWasm } from "./walk-wasm.ts";

export { BatchWalkResult, TsBatchWalker, WALK_BATCH_RECORD } from "./walk-batch.ts";
export {
  ParamIndex,
  WALK_ERR_INPUT,
  WALK_ERR_ORDER,
  WALK_ERR_OVERRUN,
  WALK_ERR_TRUNCATED,
  walkError,
  walkParamsTs,
  walkParamsTsInto,
  walkTsErrorOffset,
} from "./walk-ts.ts";
export { initWireWasm, WasmWalker, wireWasm } from "./walk-wasm.ts";

let tsBatch: TsBatchWalker | undefined;

/**
 * Batched walk (RFC 7401 §5.2.1 rules for every packet): WASM when bound (one call for the whole
 * batch, packets copied into WASM memory), else TypeScript. Walks packets[from..] as far as fits
 * (WASM: 256 packets / 64 KiB per call): check `size`. The result is shared and reused.
 */
export function walkParamsBatch(packets: readonly Uint8Array[], start: number = HIP_HEADER_LEN, from = 0): BatchWalkResult {
  const w = wireWasm();
  if (w !== undefined) return w.walkBatch(packets, start, from);
  tsBatch ??= new TsBatchWalker();
  return tsBatch.walkBatch(packets, start, from);
}

/** Walk with the WASM module when bound (initWireWasm) and the input fits, else the TS walk. */
export function walkParams(bytes: Uint8Array, start = HIP_HEADER_LEN): Result<ParamIndex> {
  const w = wireWasm();
  if (w === undefined || bytes.length > w.maxBytes) return walkParamsTs(bytes, start);
  const n = w.walkInto(bytes, start);
  return toResult(n, bytes, n < 0 ? w.errorOffset() : 0, w.index);
}
