// hipmm public API. Layers, lowest first: wire → wasm/crypto/esp → hip → mobility → fa → transport → runtime → cli.
export { loadWasm, loadWasmSync, type HipmmExports, type WasmSource } from "./wasm/loader.ts";
