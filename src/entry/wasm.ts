// hipmm/wasm: the one loader of hipmm.wasm for every runtime (embedded bytes, or a precompiled
// WebAssembly.Module where run-time compilation is refused, as in workerd).
import { useEmbeddedWasm } from "../wasm/loader.ts";
// This entry embeds the WASM module: the default of every DataPlane made without one (src/wasm/loader.ts).
useEmbeddedWasm();
export { loadWasm, loadWasmSync, wasmBytes, wasmVariant, relaxedSimdSupported, type WasmVariant, useEmbeddedWasm, setDefaultWasm, hasDefaultWasm, type HipmmExports, type WasmSource } from "../wasm/loader.ts";
export { bindWireWasm } from "../wasm/wire-walk.ts";
