// workerd side of test/runtime/workerd.test.ts. Bundled (with the loader) into one ES module;
// "./hipmm.wasm" stays external and is a `wasm` module in config.capnp, i.e. a precompiled
// WebAssembly.Module (workerd forbids compiling WASM from bytes at run time).
// @ts-expect-error: resolved by workerd's module registry, not by TypeScript.
import hipmmWasm from "./hipmm.wasm";
import { runtimeInfo } from "../../src/runtime/detect.ts";
import { loadWasm, loadWasmSync } from "../../src/wasm/loader.ts";
import { probe } from "../../web/loader-check/probe.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== "/abi") return new Response("not found", { status: 404 });
    const mod = hipmmWasm as WebAssembly.Module;
    let fromBytes: string;
    try {
      // Expected to be refused by workerd; recorded so the test documents the restriction.
      await loadWasm();
      fromBytes = "allowed";
    } catch (e) {
      fromBytes = `refused: ${e instanceof Error ? e.message : String(e)}`;
    }
    return Response.json({
      isModule: mod instanceof WebAssembly.Module,
      async: probe(await loadWasm(mod)),
      sync: probe(loadWasmSync(mod)),
      fromBytes,
      info: runtimeInfo(),
    });
  },
};
