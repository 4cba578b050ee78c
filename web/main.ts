// Demo page skeleton: loads the hipmm WASM module through the one loader and reports it.
// The network diagram (#diagram) and timeline (#timeline) are filled by the simulator demo.
import { loadWasm } from "../src/wasm/loader.ts";

type DemoState = { status: "pending" | "loaded" | "error"; abiVersion?: number; error?: string };

declare global {
  interface Window {
    hipmmDemo?: DemoState;
  }
}

const statusEl = document.getElementById("status")!;
const isolationEl = document.getElementById("isolation")!;

function setStatus(state: DemoState, text: string): void {
  window.hipmmDemo = state;
  statusEl.dataset.state = state.status;
  statusEl.className = `status ${state.status}`;
  statusEl.textContent = text;
}

isolationEl.textContent = globalThis.crossOriginIsolated
  ? "cross-origin isolated · SharedArrayBuffer available"
  : "not cross-origin isolated";

loadWasm().then(
  (wasm) => {
    const abi = wasm.abiVersion();
    setStatus({ status: "loaded", abiVersion: abi }, `WASM module loaded · ABI v${abi}`);
  },
  (err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    setStatus({ status: "error", error: msg }, `WASM module failed to load: ${msg}`);
  },
);
