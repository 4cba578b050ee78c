// ESP benchmark page (bench/esp.bench.ts --browser): the shared implementations of impls.ts
// measured in Chromium. Results land in window.hipmmEspBench as grid cells (packets/s).
import { DataPlane } from "../../src/esp/dataplane.ts";
import { WorkerDataPlane } from "../../src/esp/remote.ts";
import { loadWasm } from "../../src/wasm/loader.ts";
import { type GridCell, nobleImpl, runGrid, wasmBatchImpl, wasmImpl, webImpl, workerImpl, workerMode } from "./impls.ts";

export interface EspBenchResult {
  cells?: GridCell[];
  /** crossOriginIsolated: worker batches then live in SharedArrayBuffers instead of being transferred. */
  isolated: boolean;
  /** How WorkerDataPlane.process reached the worker (impls.ts workerMode()). */
  workerMode?: string;
  userAgent: string;
  error?: string;
}

declare global {
  interface Window {
    hipmmEspBench?: EspBenchResult;
  }
}

async function bench(): Promise<EspBenchResult> {
  const q = new URLSearchParams(location.search);
  const ms = Number(q.get("ms") ?? 240);
  const rounds = Number(q.get("rounds") ?? 3);
  const shared = q.get("shared") === "1" && globalThis.crossOriginIsolated === true;
  const dp = new DataPlane(await loadWasm());
  const worker = new Worker(new URL("../../src/esp/worker.ts", import.meta.url), { type: "module" });
  const w = await WorkerDataPlane.create({ worker });
  try {
    const cells = await runGrid(
      async (p, payload) => ({
        wasm: wasmImpl(dp, p, payload),
        wasmBatch: wasmBatchImpl(dp, p, payload),
        worker: await workerImpl(w, p, payload, shared),
        noble: nobleImpl(p, payload),
        webcrypto: await webImpl(p, payload),
      }),
      ms,
      rounds,
    );
    return { cells, isolated: globalThis.crossOriginIsolated === true, workerMode: workerMode(w.mode, shared), userAgent: navigator.userAgent };
  } finally {
    await w.close();
  }
}

const out = document.getElementById("result")!;
bench()
  .catch((e: unknown): EspBenchResult => ({ isolated: globalThis.crossOriginIsolated === true, userAgent: navigator.userAgent, error: String(e) }))
  .then((r) => {
    window.hipmmEspBench = r;
    out.textContent = JSON.stringify(r, null, 2);
    out.dataset.state = "done";
  });
