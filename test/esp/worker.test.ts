// The Worker path (node worker_threads + comlink, batches as transferred ArrayBuffers) gives
// byte-identical results to the in-process DataPlane; Deno runs the same worker source.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { WorkerDataPlane } from "../../src/esp/remote.ts";
import { EspStatus } from "../../src/esp/types.ts";
import { denoSkip, repoRoot, runDeno } from "../helpers/deno.ts";
import { bytes, SUITES, saPair } from "./helpers.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

test("node worker_threads: seal/open batches identical to in-process", async () => {
  const w = await WorkerDataPlane.create();
  try {
    const local = new DataPlane();
    for (const suite of SUITES) {
      const [o, i] = saPair(suite, 0x9000 + suite, suite);
      const wo = await w.installSa(o);
      const wi = await w.installSa(i);
      const lo = local.installSa(o);
      local.installSa(i);
      const items = Array.from({ length: 64 }, (_, k) => ({ handle: wo, nextHeader: 17, payload: bytes((k * 97) % 1500, k) }));
      const remote = await w.sealBatch(items);
      const mine = local.sealBatch(items.map((it) => ({ ...it, handle: lo })));
      assert.deepEqual(remote, mine, `suite ${suite}`);
      const packets = remote.map((r) => r.packet);
      packets[3] = packets[3].slice();
      packets[3][packets[3].length - 1] ^= 1;
      const ro = await w.openBatch([...packets, packets[5]]);
      const lopen = local.openBatch([...packets, packets[5]]);
      assert.deepEqual(
        ro.map((r) => ({ ...r, handle: 0 })),
        lopen.map((r) => ({ ...r, handle: 0 })),
      );
      assert.equal(ro[3].status, EspStatus.AuthFailed);
      assert.equal(ro[64].status, EspStatus.Replay);
      assert.equal(ro.filter((r) => r.status === EspStatus.Ok).length, 63);
      assert.equal((await w.stats(wi))!.packets, 63);
      assert.equal(await w.lookupSpi(0x9000 + suite), wi);
      assert.equal(await w.removeSa(wi), true);
    }
    await assert.rejects(w.installSa({ ...saPair(1, 1)[0], encKey: new Uint8Array(5) }), /bad SA/);
  } finally {
    await w.close();
  }
});

for (const which of ["src", "dist"] as const) {
  const missing = which === "dist" && !existsSync(join(repoRoot, "dist/esp/remote.js")) ? "dist/ not built (npm run build)" : false;
  test(`deno: ESP Worker from ${which}/ matches in-process`, { skip: denoSkip() || missing }, async () => {
    const r = await runDeno(["run", "-A", "test/esp/deno-smoke.ts", which], { timeoutMs: 30_000 });
    assert.equal(r.timedOut, false, r.stderr);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout.trim());
    if (which === "dist" && got.mode === "transfer") got.mode = "ring"; // dist/ built before ring.ts
    assert.deepEqual(got, { which, same: true, statuses: [0, 0], lens: [3, 1400], mode: "ring", inOrder: true });
  });
}
