// A/B CPU-time comparison of the two WASM AES-128 implementations (T-tables vs vector permute,
// espSetAesVperm) against node:crypto per packet, alternating in one process. CPU µs per packet
// (process.cpuUsage, user+system) are robust on a loaded machine where wall-clock rates are not.
// Run: node --import tsx bench/esp-ab.ts [rounds]
import { DataPlane } from "../src/esp/dataplane.ts";
import { loadWasmSync } from "../src/wasm/loader.ts";
import { fill, type Impl, params, SIZES, SUITES, wasmImpl } from "../web/esp-bench/impls.ts";
import { cpuPerUnit } from "./cpu.ts";
import { nodeImpl } from "./esp.bench.ts";

const ROUNDS = Number(process.argv[2] ?? 5);
/** Implementation masks to compare (espSetAesVperm): default 0 (T-tables, no stitching: the old code) and 61 (the default). */
const MASKS = (process.argv[3] ?? "0,61").split(",").map(Number);
const ONLY = process.argv[4];
const exports = loadWasmSync();
const setMask = exports.espSetAesVperm as (m: number) => void;
const dp = new DataPlane(exports);


let spi = 0x5000;
for (const suite of SUITES) {
  for (const size of SIZES) {
    const payload = fill(size, size);
    const p = params(suite, ++spi);
    const node: Impl = nodeImpl(p, payload);
    const wasm = wasmImpl(dp, p, payload);
    for (const op of ["seal", "open"] as const) {
      const n = size > 100 ? 2000 : 8000;
      const row = `esp.${op}.suite${suite}.${size}B`;
      if (ONLY && !row.includes(ONLY)) continue;
      const best = MASKS.map(() => Infinity);
      let bestNode = Infinity;
      for (let r = 0; r < ROUNDS; r++) {
        MASKS.forEach((m, i) => {
          setMask(m);
          best[i] = Math.min(best[i], cpuPerUnit(() => wasm[op]() as number, n));
        });
        bestNode = Math.min(bestNode, cpuPerUnit(() => node[op]() as number, n));
      }
      const f = (x: number): string => x.toFixed(2).padStart(6);
      const cols = MASKS.map((m, i) => `mask${m} ${f(best[i])} (${(bestNode / best[i]).toFixed(2)}x)`).join("  ");
      console.log(`${row.padEnd(24)} cpu µs/pkt: node ${f(bestNode)}  ${cols}`);
    }
  }
}
setMask(61);
