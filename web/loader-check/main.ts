// Runtime check page (test/runtime/browser.test.ts): the one loader on the main thread
// (async loadWasm) and in a module Worker (loadWasmSync); result in #result and window.
import { type RuntimeInfo, runtimeInfo } from "../../src/runtime/detect.ts";
import { loadWasm } from "../../src/wasm/loader.ts";
import { type Probe, probe } from "./probe.ts";
import type { WorkerResult } from "./worker.ts";

export interface LoaderCheck {
  ok: boolean;
  probe?: Probe;
  worker?: WorkerResult;
  crossOriginIsolated: boolean;
  info: RuntimeInfo;
  error?: string;
}

declare global {
  interface Window {
    hipmmLoaderCheck?: LoaderCheck;
  }
}

function inWorker(): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    w.onmessage = (ev: MessageEvent<WorkerResult>) => {
      w.terminate();
      resolve(ev.data);
    };
    w.onerror = (ev) => {
      w.terminate();
      reject(new Error(`worker error: ${ev.message}`));
    };
  });
}

async function check(): Promise<LoaderCheck> {
  const base = { crossOriginIsolated: globalThis.crossOriginIsolated, info: runtimeInfo() };
  try {
    const main = probe(await loadWasm());
    return { ...base, ok: true, probe: main, worker: await inWorker() };
  } catch (e) {
    return { ...base, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

const el = document.getElementById("result")!;
check().then((r) => {
  window.hipmmLoaderCheck = r;
  el.textContent = JSON.stringify(r, null, 2);
  el.dataset.state = r.ok ? "done" : "error";
});
