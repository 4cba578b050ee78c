// Deno side of test/runtime/deno.test.ts: load the WASM module through the one loader
// (from src/*.ts by default, or dist/*.js with argument "dist") and print one JSON line.
import { probe } from "../../web/loader-check/probe.ts";

const which = Deno.args[0] === "dist" ? "dist" : "src";
const lib = (path: string) => new URL(`../../${which}/${path}${which === "dist" ? ".js" : ".ts"}`, import.meta.url).href;
const { loadWasm, loadWasmSync } = await import(lib("wasm/loader"));
const { runtimeInfo } = await import(lib("runtime/detect"));

const asyncExports = await loadWasm();
console.log(
  JSON.stringify({
    which,
    async: probe(asyncExports),
    sync: probe(loadWasmSync()),
    memoryIsMemory: asyncExports.memory instanceof WebAssembly.Memory,
    info: runtimeInfo(),
  }),
);
