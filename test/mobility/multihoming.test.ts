import assert from "node:assert/strict";
import { test } from "node:test";
import { sameLocator } from "../../src/core/types.ts";
import { events, isHip, L, pair } from "./util.ts";

test("multi-homed failover: preferred path goes silent, traffic moves within the detection bound", () => {
  const fast = L("10.1.0.1");
  const slow = L("10.2.0.1");
  const policy = { probeIntervalMs: 50, failoverTimeoutMs: 150 };
  const { sim, a, b } = pair(11, fast, L("10.0.0.2"), policy);
  sim.addAddress("A", slow);
  a.stack.local!.addInterface(2, 0); // slow interface: lower preference (§3.3)
  a.stack.local!.addAddress(2, slow, 0);
  sim.setPath(slow, "B", { latency: 40 });
  b.startFlow(a, 100, 3000, 1);
  sim.runUntil(900);
  assert.deepEqual(b.session(a).path?.to, fast, "fast interface preferred");
  sim.at(1000, () => sim.partition(fast)); // silent failure: nobody is told
  sim.runUntil(3100);
  const failed = events(b, "address-failed").find((e) => e.type === "address-failed" && sameLocator(e.locator, fast));
  assert.ok(failed && failed.t - 1000 <= 150 + 1, `detected at ${failed?.t}`);
  assert.deepEqual(b.session(a).path?.to, slow);
  const firstSlow = a.delivered.find((d) => d.t > 1000 && !!d.to && sameLocator(d.to, slow))!;
  assert.ok(firstSlow.t - 1000 <= 150 + 40 + 1, `first on slow path at ${firstSlow.t}`);
  const lost = 2900 - new Set(a.delivered.map((d) => d.n)).size;
  assert.ok(lost <= 151, `lost ${lost}`);
  // Recovery: when the fast path heals, a recovery probe brings traffic back to it.
  sim.healAll();
  b.startFlow(a, sim.now, sim.now + 1000, 1);
  sim.runUntil(sim.now + 1000);
  assert.deepEqual(b.session(a).path?.to, fast);
});

test("IPv4 → IPv6 change mid-session (dual-stack peer)", () => {
  const a4 = L("10.0.0.1");
  const a6 = L("2001:db8:a::1");
  const b4 = L("10.0.0.2");
  const b6 = L("2001:db8:b::2");
  const { sim, a, b } = pair(12, a4, b4);
  sim.addAddress("B", b6);
  b.stack.local!.addAddress(1, b6, 0); // site multi-homing: one interface, both families (§3.4)
  b.startFlow(a, 100, 2000, 1);
  a.startFlow(b, 100, 2000, 1);
  sim.runUntil(900);
  sim.at(1000, () => {
    sim.renumber("A", a4, a6);
    a.stack.local!.setAddresses(1, [a6], sim.now);
  });
  sim.runUntil(2100);
  assert.deepEqual(a.session(b).path, { from: a6, to: b6 });
  assert.deepEqual(b.session(a).path, { from: b6, to: a6 });
  const verified = events(b, "address-verified").find((e) => e.type === "address-verified" && sameLocator(e.locator, a6))!;
  assert.equal(sim.trace.filter((e) => e.kind === "sent" && sameLocator(e.to, a6) && !isHip(e.data) && e.t < verified.t).length, 0);
  assert.ok(a.delivered.some((d) => !!d.to && sameLocator(d.to, a6)) && b.delivered.some((d) => sameLocator(d.from, a6)));
});

test("renumbering: new prefix announced, old one deprecated then expired → no loss", () => {
  const old6 = L("2001:db8:1::a");
  const new6 = L("2001:db8:2::a");
  const { sim, a, b } = pair(13, old6, L("2001:db8:ff::b"));
  b.startFlow(a, 100, 3000, 1);
  sim.at(1000, () => {
    sim.addAddress("A", new6);
    a.stack.local!.addAddress(1, new6, sim.now, { preferred: true });
    a.stack.local!.addAddress(1, old6, sim.now, { lifetimeSec: 1 }); // §3.6: old prefix valid one more second
    a.stack.local!.deprecate(old6);
  });
  sim.at(2000, () => sim.removeAddress("A", old6));
  sim.runUntil(3100);
  assert.deepEqual(b.session(a).path?.to, new6);
  assert.equal(a.stack.local!.interfaceOf(old6), undefined, "old address expired locally");
  assert.ok(events(a, "rea-sent").length >= 3, "REA on renumber and on expiry");
  assert.equal(new Set(a.delivered.map((d) => d.n)).size, 2900);
});

test("both ends move, the second move during the first address check", () => {
  const a1 = L("10.0.0.1");
  const a2 = L("10.7.0.1");
  const b1 = L("10.0.0.2");
  const b2 = L("10.8.0.2");
  const { sim, a, b } = pair(14, a1, b1);
  a.startFlow(b, 100, 3000, 1);
  b.startFlow(a, 100, 3000, 1);
  sim.at(1000, () => {
    sim.renumber("A", a1, a2);
    a.stack.local!.setAddresses(1, [a2], sim.now);
  });
  sim.at(1015, () => {
    sim.renumber("B", b1, b2); // B's AC to a2 is in flight; A's ACR will go to b1, which is gone
    b.stack.local!.setAddresses(1, [b2], sim.now);
  });
  sim.runUntil(3100);
  assert.deepEqual(a.session(b).path, { from: a2, to: b2 });
  assert.deepEqual(b.session(a).path, { from: b2, to: a2 });
  const lastA = a.delivered.at(-1)!;
  const lastB = b.delivered.at(-1)!;
  assert.ok(lastA.n >= 2890 && lastB.n >= 2890, "both flows run to the end");
  for (const [n, mine] of [[b, a2], [a, b2]] as const) {
    const v = events(n, "address-verified").find((e) => e.type === "address-verified" && sameLocator(e.locator, mine))!;
    assert.ok(v, "verified");
    assert.equal(sim.trace.filter((e) => e.kind === "sent" && sameLocator(e.to, mine) && !isHip(e.data) && e.t < v.t).length, 0);
  }
});
