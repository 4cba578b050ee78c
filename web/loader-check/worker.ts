// Module Worker for the loader check: synchronous instantiation is allowed off the main thread.
import { type RuntimeInfo, runtimeInfo } from "../../src/runtime/detect.ts";
import { loadWasmSync } from "../../src/wasm/loader.ts";
import { type Probe, probe } from "./probe.ts";

export interface WorkerResult {
  probe?: Probe;
  error?: string;
  info: RuntimeInfo;
}

let result: WorkerResult;
try {
  result = { probe: probe(loadWasmSync()), info: runtimeInfo() };
} catch (e) {
  result = { error: e instanceof Error ? e.message : String(e), info: runtimeInfo() };
}
postMessage(result);
