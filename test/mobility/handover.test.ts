import assert from "node:assert/strict";
import { test } from "node:test";
import { sameLocator } from "../../src/core/types.ts";
import { events, isHip, L, pair } from "./util.ts";

test("initial REA is acknowledged by AC and answered by ACR, both ways", () => {
  const { sim, a, b } = pair(1, L("10.0.0.1"), L("10.0.0.2"));
  sim.runUntil(500);
  assert.equal(events(a, "rea-acked").length, 1);
  assert.equal(events(b, "rea-acked").length, 1);
  assert.ok(a.session(b).counters.acrSent >= 1);
  assert.deepEqual(a.session(b).path, { from: L("10.0.0.1"), to: L("10.0.0.2") });
  const rtt = a.session(b).rtt.srtt!;
  assert.ok(rtt >= 20 && rtt <= 21, `rtt ${rtt}`);
});

test("movement: A renumbers; B verifies the new address before sending data to it", () => {
  const oldA = L("10.0.0.1");
  const newA = L("10.9.0.1");
  const { sim, a, b } = pair(2, oldA, L("10.0.0.2"));
  b.startFlow(a, 100, 2000, 1);
  sim.at(1000, () => {
    sim.renumber("A", oldA, newA);
    a.stack.local!.setAddresses(1, [newA], sim.now);
  });
  sim.runUntil(2100);
  const verified = events(b, "address-verified").find((e) => e.type === "address-verified" && sameLocator(e.locator, newA));
  assert.ok(verified, "new address verified");
  // No data (non-HIP datagram) went to the new address before the ACR arrived (§6.5).
  const early = sim.trace.filter((e) => e.kind === "sent" && sameLocator(e.to, newA) && !isHip(e.data) && e.t < verified.t);
  assert.equal(early.length, 0);
  assert.deepEqual(b.session(a).path?.to, newA);
  const firstNew = a.delivered.find((d) => d.t > 1000 && !!d.to && sameLocator(d.to, newA));
  assert.ok(firstNew);
  // REA 10 ms + AC 10 + ACR 10 + data 10: about 2 RTT after the move.
  assert.ok(firstNew.t - 1000 <= 45, `handover ${firstNew.t - 1000} ms`);
  const lost = 1900 - new Set(a.delivered.map((d) => d.n)).size;
  assert.ok(lost > 0 && lost <= 45, `lost ${lost}`);
});

test("make-before-break: the new address is announced while the old one still works → zero loss", () => {
  const oldA = L("10.0.0.1");
  const newA = L("10.9.0.1");
  const { sim, a, b } = pair(3, oldA, L("10.0.0.2"));
  b.startFlow(a, 100, 2000, 1);
  sim.at(1000, () => {
    sim.addAddress("A", newA);
    a.stack.local!.addAddress(2, newA, sim.now, { preferred: true });
    a.stack.local!.setPreference(2, 2);
    a.stack.local!.deprecate(oldA);
  });
  sim.at(1200, () => {
    sim.removeAddress("A", oldA);
    a.stack.local!.removeAddress(oldA);
  });
  sim.runUntil(2100);
  assert.deepEqual(b.session(a).path?.to, newA);
  const got = new Set(a.delivered.map((d) => d.n));
  assert.equal(got.size, 1900, `lost ${1900 - got.size}`);
});
