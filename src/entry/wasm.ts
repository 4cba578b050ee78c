// hipmm/wasm: the one loader of hipmm.wasm for every runtime (embedded bytes, or a precompiled
// WebAssembly.Module where run-time compilation is refused, as in workerd).
export { loadWasm, loadWasmSync, wasmBytes, type HipmmExports, type WasmSource } from "../wasm/loader.ts";
export { bindWireWasm } from "../wasm/wire-walk.ts";
