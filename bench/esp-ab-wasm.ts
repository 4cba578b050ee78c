// A/B CPU-time comparison of two WASM builds (e.g. before / after an assembly change), per packet,
// alternating in one process so both see the same load; best of ROUNDS, and node:crypto alongside.
// Run: node --import tsx bench/esp-ab-wasm.ts <a.wasm> <b.wasm> [rounds] [row filter]
import { readFileSync } from "node:fs";
import { DataPlane } from "../src/esp/dataplane.ts";
import { loadWasmSync } from "../src/wasm/loader.ts";
import { fill, type Impl, params, SIZES, SUITES, wasmImpl } from "../web/esp-bench/impls.ts";
import { cpuPerUnit } from "./cpu.ts";
import { nodeImpl } from "./esp.bench.ts";

const [fa, fb] = [process.argv[2], process.argv[3]];
const ROUNDS = Number(process.argv[4] ?? 7);
const ONLY = process.argv[5];
const dps = [fa, fb].map((f) => new DataPlane(loadWasmSync(new WebAssembly.Module(readFileSync(f)))));


let spi = 0x6000;
for (const suite of SUITES) {
  for (const size of SIZES) {
    const payload = fill(size, size);
    const p = params(suite, ++spi);
    const node: Impl = nodeImpl(p, payload);
    const impls = dps.map((dp) => wasmImpl(dp, p, payload));
    for (const op of ["seal", "open"] as const) {
      const row = `esp.${op}.suite${suite}.${size}B`;
      if (ONLY && !row.includes(ONLY)) continue;
      const n = size > 100 ? 1000 : 4000;
      const best = [Infinity, Infinity];
      let bestNode = Infinity;
      for (let r = 0; r < ROUNDS; r++) {
        impls.forEach((w, i) => {
          best[i] = Math.min(best[i], cpuPerUnit(() => w[op]() as number, n));
        });
        bestNode = Math.min(bestNode, cpuPerUnit(() => node[op]() as number, n));
      }
      const f = (x: number): string => x.toFixed(2).padStart(6);
      console.log(`${row.padEnd(24)} cpu µs/pkt: node ${f(bestNode)}  A ${f(best[0])} (${(bestNode / best[0]).toFixed(2)}x)  B ${f(best[1])} (${(bestNode / best[1]).toFixed(2)}x)  B/A ${(best[1] / best[0]).toFixed(3)}`);
    }
  }
}
