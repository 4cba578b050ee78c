import assert from "node:assert/strict";
import { test } from "node:test";
import { sameLocator } from "../../src/core/types.ts";
import { isHip, L, pair } from "./util.ts";

for (const seed of [31, 32, 33, 34, 35, 36]) {
  test(`lost, duplicated and reordered REA/AC/ACR still converge (seed ${seed})`, () => {
    const a1 = L("10.0.0.1");
    const a2 = L("10.3.0.1");
    const { sim, a, b } = pair(seed, a1, L("10.0.0.2"));
    b.startFlow(a, 100, 4000, 2);
    sim.runUntil(900);
    sim.setDefaultLink({ loss: 0.2, duplicate: 0.3, reorder: 0.3, jitter: 5 });
    sim.at(1000, () => {
      sim.renumber("A", a1, a2);
      a.stack.local!.setAddresses(1, [a2], sim.now);
    });
    sim.runUntil(4100);
    const sb = b.session(a);
    assert.deepEqual(sb.path?.to, a2);
    const verified = b.log.find((e) => e.ev.type === "address-verified" && sameLocator(e.ev.locator, a2))!;
    assert.ok(verified.ev.t < 3000, `verified at ${verified.ev.t}`);
    assert.equal(sim.trace.filter((e) => e.kind === "sent" && sameLocator(e.to, a2) && !isHip(e.data) && e.t < verified.ev.t).length, 0);
    const sa = a.session(b);
    const rej = Object.values(sb.counters.rejected).reduce((x, y) => x + y, 0) + Object.values(sa.counters.rejected).reduce((x, y) => x + y, 0);
    assert.equal(sb.counters.rejected["bad-hmac"] + sb.counters.rejected.malformed, 0, `no authentic packet misjudged (${rej})`);
  });
}
