// The one WASM loader in workerd: test/workerd/worker.ts is bundled with the loader into one
// ES module; config.capnp supplies build/hipmm.wasm as a `wasm` module (a precompiled Module).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { before, test } from "node:test";
import { loadWasmSync } from "../../src/wasm/loader.ts";
import { probe } from "../../web/loader-check/probe.ts";
import { bundleWorker, repoRoot, startWorkerd, workerdSkip } from "../helpers/workerd.ts";

const expected = probe(loadWasmSync());
const skip = workerdSkip();

before(async () => {
  if (skip) return;
  // build/hipmm.wasm must match the embedded bytes; the script is a no-op when up to date.
  const r = spawnSync(process.execPath, ["scripts/build-wasm.mjs"], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  await bundleWorker(join(repoRoot, "test/workerd/worker.ts"), join(repoRoot, ".tmp/workerd/worker.js"));
});

test("workerd: loader instantiates the config's wasm module; compiling bytes is refused", { skip }, async () => {
  const w = await startWorkerd(join(repoRoot, "test/workerd/config.capnp"), { readyTimeoutMs: 15_000 });
  try {
    const res = await fetch(`${w.url}/abi`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    assert.equal(res.status, 200, `${text}\n${w.output()}`);
    assert.deepEqual(JSON.parse(text), {
      isModule: true,
      async: expected,
      sync: expected,
      // Why the loader takes a Module: workerd forbids run-time code generation from bytes.
      fromBytes: "refused: WebAssembly.compile(): Wasm code generation disallowed by embedder",
      info: { runtime: "workerd", udp: false, webSocket: true, webTransport: false, sharedArrayBuffer: true },
    });
    const missing = await fetch(`${w.url}/nope`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await w.stop();
  }
});
