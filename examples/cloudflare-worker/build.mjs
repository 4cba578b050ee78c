// Bundle the Worker into one ES module (dist/worker.js) with esbuild, and put hipmm.wasm next
// to it: workerd (and wrangler) bind it as a `wasm` module, i.e. a precompiled
// WebAssembly.Module, because Workers may not compile WebAssembly from bytes at run time.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";

const here = new URL(".", import.meta.url).pathname;
mkdirSync(`${here}dist`, { recursive: true });
copyFileSync(createRequire(import.meta.url).resolve("hipmm/hipmm.wasm"), `${here}dist/hipmm.wasm`);
const r = await build({
  entryPoints: [`${here}src/index.js`],
  outfile: `${here}dist/worker.js`,
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "browser"],
  target: "es2022",
  external: ["./hipmm.wasm"],
  metafile: true,
  logLevel: "warning",
});
const bytes = Object.values(r.metafile.outputs).reduce((s, o) => s + o.bytes, 0);
console.log(JSON.stringify({ bundle: "dist/worker.js", bytes }));
