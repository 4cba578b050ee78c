// Lazy completion of the shared-memory ring (RingClient.setLazy, used by dataPlane "worker-io"):
// a finished batch arms no wake of this thread (WorkerDataPlane.ringWaits). It settles when this
// thread looks (poll(), the next process()), when someone waits for it (needResults()), or from
// the 2 ms fallback timer; each way gives the same results as the prompt ring.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WorkerDataPlane } from "../../src/esp/remote.ts";
import { EspStatus, EspSuite } from "../../src/esp/types.ts";
import { bytes, saPair } from "./helpers.ts";
import "../../src/wasm/loader.ts";

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

test("lazy ring: no wake per batch; poll(), needResults() and the fallback timer each settle it, results intact", { timeout: 20_000 }, async () => {
  const w = await WorkerDataPlane.create();
  try {
    assert.equal(w.mode, "ring");
    const [o] = saPair(EspSuite.AES_GCM16, 0x7100, 7);
    const h = await w.installSa(o);
    const b = w.batch({ maxPackets: 8 });
    const fill = () => {
      b.reset();
      for (let k = 0; k < 8; k++) b.addSeal(h, 17, bytes(100 + k, k));
      return b;
    };
    w.setLazy(true);
    let seq = 0;
    const check = (r: typeof b) => {
      for (let k = 0; k < 8; k++) {
        assert.equal(r.status(k), EspStatus.Ok);
        assert.equal(r.seq(k), ++seq);
      }
    };

    // 1. poll(): the Worker finishes while this thread is busy; no wait is armed, we look.
    const waits0 = w.ringWaits;
    const p1 = w.process("seal", fill());
    spin(50);
    w.poll();
    check(await p1);
    assert.equal(w.ringWaits, waits0, "a lazy ring arms no wake for a finished batch");

    // 2. The fallback timer: nobody looks or waits, it still settles (within a few ms).
    const t0 = performance.now();
    check(await w.process("seal", fill()));
    assert.ok(performance.now() - t0 < 1000);

    // 3. needResults(): someone waits, so the finish wakes us (before the fallback would).
    const p3 = w.process("seal", fill());
    w.needResults();
    check(await p3);

    // 4. Prompt again: settles with nobody looking or asking (a wake, or at once if already done).
    w.setLazy(false);
    check(await w.process("seal", fill()));
  } finally {
    await w.close();
  }
});
