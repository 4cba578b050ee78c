// One loader for every runtime: Node, Deno, a Vite-built page, a Web Worker and workerd.
// This module brings the embedded bytes (embedded.ts): its loadWasm()/loadWasmSync() fall back
// to them, and useEmbeddedWasm() makes them the default of the shared code (instantiate.ts),
// e.g. a DataPlane made without a module. Shared code imports instantiate.ts only, so a
// hipmm/worker bundle, where workerd forbids compiling WASM from bytes and the caller passes
// the WebAssembly.Module its configuration binds, carries no embedded copy.
import { wasmBytes } from "./embedded.ts";
import { type HipmmExports, loadWasm as instantiate, loadWasmSync as instantiateSync, setDefaultWasm, type WasmSource } from "./instantiate.ts";

export { defaultWasm, type HipmmExports, hasDefaultWasm, setDefaultWasm, type WasmSource } from "./instantiate.ts";
export { relaxedSimdSupported, type WasmVariant, wasmBytes, wasmVariant } from "./embedded.ts";

/**
 * Makes the embedded module the default of loadWasm()/loadWasmSync() and of every DataPlane,
 * HostStack and tunnel host created without one. The entry points that embed the module call
 * it on load (an explicit call: bundlers drop a side-effect-only import of this package);
 * evaluating this file does too. Idempotent.
 */
export function useEmbeddedWasm(): void {
  setDefaultWasm(wasmBytes);
}

useEmbeddedWasm();

/** Instantiate asynchronously (works in every runtime, including browser main threads); default: the embedded bytes. */
export function loadWasm(source?: WasmSource): Promise<HipmmExports> {
  return instantiate(source ?? wasmBytes());
}

/** Instantiate synchronously (Node, Deno, workers; not a browser main thread for large modules); default: the embedded bytes. */
export function loadWasmSync(source?: WasmSource): HipmmExports {
  return instantiateSync(source ?? wasmBytes());
}
