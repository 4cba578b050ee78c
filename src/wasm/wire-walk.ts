// Binds the wire layer's WASM parameter walk (src/wire/walk-wasm.ts) to an instance of the
// embedded module (this module is not in a hipmm/worker bundle). Lives here, not in src/wire, because loading WASM is layer 2 (ARCHITECTURE.md).
import { initWireWasm } from "../wire/walk-wasm.ts";
import { loadWasmSync, type WasmSource } from "./loader.ts";

/**
 * Instantiates the module synchronously (embedded bytes unless `source` is given) and binds the
 * WASM walk. Fails quietly on a browser main thread (the TS walk is then used). True when bound.
 */
export function bindWireWasm(source?: WasmSource): boolean {
  try {
    return initWireWasm(loadWasmSync(source));
  } catch {
    return false;
  }
}
