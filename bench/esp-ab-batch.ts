// A/B CPU-time comparison of the in-process zero-copy batches (DataPlane.process, 64 packets)
// with multi-buffer HMAC off and on (espSetAesVperm masks 45 and 61, the default: 32 is the suite 8 one-loop open), per packet, against
// node:crypto per packet and the WASM per-packet path, alternating in one process.
// Run: node --import tsx bench/esp-ab-batch.ts [rounds] [masks] [row filter]
import { DataPlane } from "../src/esp/dataplane.ts";
import { loadWasmSync } from "../src/wasm/loader.ts";
import { BATCH, fill, type Impl, params, SIZES, SUITES, wasmBatchImpl, wasmImpl } from "../web/esp-bench/impls.ts";
import { cpuPerUnit } from "./cpu.ts";
import { nodeImpl } from "./esp.bench.ts";

const ROUNDS = Number(process.argv[2] ?? 5);
const MASKS = (process.argv[3] ?? "45,61").split(",").map(Number);
const ONLY = process.argv[4];
const exports = loadWasmSync();
const setMask = exports.espSetAesVperm as (m: number) => void;
const dp = new DataPlane(exports);


let spi = 0x5800;
for (const suite of SUITES) {
  for (const size of SIZES) {
    const payload = fill(size, size);
    const p = params(suite, ++spi);
    const node: Impl = nodeImpl(p, payload);
    const wasm = wasmImpl(dp, p, payload);
    const batch = wasmBatchImpl(dp, p, payload);
    for (const op of ["seal", "open"] as const) {
      const n = size > 100 ? 1000 : 4000;
      const row = `esp.${op}.suite${suite}.${size}B`;
      if (ONLY && !row.includes(ONLY)) continue;
      const best = MASKS.map(() => Infinity);
      let bestNode = Infinity;
      let bestWasm = Infinity;
      for (let r = 0; r < ROUNDS; r++) {
        MASKS.forEach((m, i) => {
          setMask(m);
          best[i] = Math.min(best[i], cpuPerUnit(() => batch[op]() as number, Math.ceil(n / BATCH)));
        });
        setMask(MASKS[MASKS.length - 1]);
        bestWasm = Math.min(bestWasm, cpuPerUnit(() => wasm[op]() as number, n));
        bestNode = Math.min(bestNode, cpuPerUnit(() => node[op]() as number, n));
      }
      const f = (x: number): string => x.toFixed(2).padStart(6);
      const cols = MASKS.map((m, i) => `batch${BATCH}/mask${m} ${f(best[i])} (${(bestNode / best[i]).toFixed(2)}x)`).join("  ");
      console.log(`${row.padEnd(24)} cpu µs/pkt: node ${f(bestNode)}  wasm ${f(bestWasm)} (${(bestNode / bestWasm).toFixed(2)}x)  ${cols}`);
    }
  }
}
setMask(61);
