// A host that moves while its base exchange is in flight (a phone connecting as it leaves a
// network): the I1 (or I2) it sent from the address it gave up is sent again at once from the new
// one (HipHost.addressesGone), instead of at its next retransmission, 1 s later (RFC 7401 §6.6);
// the peer's answer to the first one goes to the old address and is lost.
import assert from "node:assert/strict";
import { test } from "node:test";
import { L, pair } from "./util.ts";

for (const at of [5, 25] as const) {
  const what = at === 5 ? "I1" : "I2";
  test(`a move while the ${what} is in flight: sent again from the new address at once; established in a few RTTs, not after the 1 s retransmission`, () => {
    const oldA = L("10.0.0.1");
    const newA = L("10.9.0.1");
    // 10 ms each way: I1 at 0, R1 back at 20, I2 at ~20, R2 back at ~40.
    const { sim, a, b } = pair(at, oldA, L("10.0.0.2"));
    sim.at(at, () => sim.renumber("A", oldA, newA));
    sim.runUntil(900);
    const hip = a.stack.host.counters;
    assert.equal(hip["retransmit.moved"], 1, `the ${what} went again from ${newA.ip}`);
    assert.equal(hip.retransmit ?? 0, 0, "no timer retransmission was needed");
    assert.equal(a.stack.host.association(b.hit)?.state, "ESTABLISHED", "established before 900 ms");
    assert.deepEqual(a.stack.host.association(b.hit)?.localLocator, newA);
  });
}
