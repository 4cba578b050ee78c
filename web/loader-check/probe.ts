// The same calls into the WASM module in every runtime check (Node, Deno, browser page,
// Web Worker, workerd), so each runtime's answer can be compared with Node's.
import type { HipmmExports } from "../../src/wasm/loader.ts";

export interface Probe {
  abiVersion: number;
  exports: string[];
  /** Raw parameter walk (assembly/wire/walk.ts) over PROBE_TLVS, if the module exports it. */
  walk: { count: number; entries: number[][] } | "absent";
}

/** Three TLVs, RFC 7401 §5.2.1 layout: type(2) length(2) value, padded to 8 bytes. */
export const PROBE_TLVS = new Uint8Array([
  0x00, 0x01, 0x00, 0x04, 1, 2, 3, 4, // type 1, length 4 → 8 bytes
  0x00, 0x41, 0x00, 0x03, 5, 6, 7, 0, // type 65, length 3 → 8 bytes (1 padding)
  0x00, 0xc1, 0x00, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // type 193, length 12 → 16 bytes
]);

type WalkExports = {
  walkInputPtr: () => number;
  walkIndexPtr: () => number;
  walkParams: (len: number, start: number) => number;
};

export function probe(ex: HipmmExports): Probe {
  const w = ex as HipmmExports & Partial<WalkExports>;
  let walk: Probe["walk"] = "absent";
  if (typeof w.walkParams === "function" && typeof w.walkInputPtr === "function" && typeof w.walkIndexPtr === "function") {
    new Uint8Array(ex.memory.buffer, w.walkInputPtr(), PROBE_TLVS.length).set(PROBE_TLVS);
    const count = w.walkParams(PROBE_TLVS.length, 0);
    // WASM memory is little-endian: entries are (type, offset, length) as i32 triples.
    const index = new DataView(ex.memory.buffer, w.walkIndexPtr());
    const entries: number[][] = [];
    for (let i = 0; i < count; i++) {
      entries.push([0, 4, 8].map((k) => index.getInt32(12 * i + k, true)));
    }
    walk = { count, entries };
  }
  return { abiVersion: ex.abiVersion(), exports: Object.keys(ex).sort(), walk };
}
