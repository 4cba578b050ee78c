// The one WASM loader in Deno: test/deno/loader-check.ts imports src/wasm/loader.ts directly
// (explicit .ts imports) or dist/wasm/loader.js, runs the shared probe and prints it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadWasmSync } from "../../src/wasm/loader.ts";
import { probe } from "../../web/loader-check/probe.ts";
import { denoSkip, runDeno } from "../helpers/deno.ts";

const expected = probe(loadWasmSync());
const script = "test/deno/loader-check.ts";

for (const which of ["src", "dist"] as const) {
  test(`deno: loader from ${which}/ instantiates the module`, { skip: denoSkip() }, async () => {
    const r = await runDeno(["run", "--no-prompt", "--allow-read=.", script, which], { timeoutMs: 20_000 });
    assert.equal(r.timedOut, false, `deno timed out\n${r.stderr}`);
    assert.equal(r.code, 0, `deno exited ${r.code}\n${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout.trim()), {
      which,
      async: expected,
      sync: expected,
      memoryIsMemory: true,
      // Without --unstable-net Deno has no UDP (no Deno.listenDatagram) and no WebTransport.
      info: { runtime: "deno", udp: false, webSocket: true, webTransport: false, sharedArrayBuffer: true },
    });
  });
}

test("deno: --unstable-net exposes UDP to runtimeInfo()", { skip: denoSkip() }, async () => {
  const r = await runDeno(["run", "--no-prompt", "--unstable-net", "--allow-read=.", script], { timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout.trim()) as { info: { udp: boolean } }).info.udp, true);
});

test("deno: runs sandboxed (a script from stdin without --allow-read cannot read files)", { skip: denoSkip() }, async () => {
  const r = await runDeno(["run", "--no-prompt", "-"], {
    stdin: "await Deno.readTextFile('package.json');",
    timeoutMs: 20_000,
  });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /NotCapable|PermissionDenied|Requires read access/);
});
