// hipmm public API. Layers, lowest first: wire → wasm/crypto/esp → hip → mobility → fa → transport → runtime → cli.
export { loadWasm, loadWasmSync, type HipmmExports, type WasmSource } from "./wasm/loader.ts";
export * from "./wire/index.ts";
export { detectRuntime, runtimeInfo, type RuntimeInfo, type RuntimeName } from "./runtime/detect.ts";
