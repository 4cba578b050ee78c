// Peer reachability (policy probeIntervalMs / failoverTimeoutMs / peerDeadMs, src/mobility/session.ts):
// every path silent → peer-unreachable; an answer → peer-reachable; silence for peerDeadMs while
// sending → peer-dead, the association dropped without a CLOSE (HIP `closed`, reason `unreachable`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { PacketType } from "../../src/wire/constants.ts";
import { events, isHip, L, pair } from "./util.ts";

const policy = { probeIntervalMs: 100, failoverTimeoutMs: 300, peerDeadMs: 2_000 };

test("peer silent on every path: unreachable after the failover timeout, given up after peerDeadMs, no CLOSE", () => {
  const a1 = L("10.0.0.1");
  const b1 = L("10.0.0.2");
  const { sim, a, b } = pair(41, a1, b1, policy);
  b.startFlow(a, 100, 6_000, 1);
  sim.at(1_000, () => sim.partition(a1)); // A vanishes: B keeps sending
  sim.runUntil(6_000);
  const un = events(b, "peer-unreachable");
  assert.equal(un.length, 1, "one peer-unreachable");
  // Silence counts from the last packet heard (an ACR to a liveness AC: B only sends).
  assert.ok(un[0].t > 1_000 && un[0].t - 1_000 <= 300 + 100 + 11, `unreachable at ${un[0].t}`);
  assert.ok(un[0].type === "peer-unreachable" && un[0].silentMs >= 300, "silentMs ≥ failoverTimeoutMs");
  const dead = events(b, "peer-dead");
  assert.equal(dead.length, 1);
  // Given up peerDeadMs after being declared unreachable, at the next liveness check.
  assert.ok(dead[0].t - un[0].t >= 2_000 && dead[0].t - un[0].t <= 2_000 + 100 + 1, `dead at ${dead[0].t}`);
  const closed = b.notes.find((n) => n.text.includes("closed (unreachable)"));
  assert.ok(closed, "HIP closed event with reason unreachable");
  assert.equal(b.stack.host.association(a.hit), undefined, "association gone");
  assert.equal(b.stack.host.counters["closed.unreachable"], 1);
  assert.equal(b.stack.mobility?.session(a.hit), undefined, "mobility session unbound");
  // No CLOSE into the void, and no more liveness ACs once given up.
  const sentByB = sim.trace.filter((e) => e.kind === "sent" && e.node === "B" && isHip(e.data));
  assert.equal(sentByB.filter((e) => (e.data![6] & 0x7f) === PacketType.CLOSE).length, 0, "no CLOSE");
  assert.equal(sentByB.filter((e) => e.t > dead[0].t).length, 0, "nothing after the give-up");
  assert.equal(events(b, "peer-reachable").length, 0);
});

test("a silence shorter than peerDeadMs: unreachable, then reachable again, the association kept", () => {
  const a1 = L("10.0.0.1");
  const b1 = L("10.0.0.2");
  const { sim, a, b } = pair(42, a1, b1, policy);
  b.startFlow(a, 100, 5_000, 1);
  sim.at(1_000, () => sim.partition(a1));
  sim.at(2_500, () => sim.healAll());
  sim.runUntil(5_000);
  const un = events(b, "peer-unreachable");
  const back = events(b, "peer-reachable");
  assert.equal(un.length, 1);
  assert.equal(back.length, 1);
  assert.ok(back[0].t >= 2_500 && back[0].t <= 2_500 + 300 + 21, `reachable at ${back[0].t}`);
  assert.ok(back[0].type === "peer-reachable" && back[0].silentMs >= 1_500, "silence measured from the last packet heard");
  assert.equal(events(b, "peer-dead").length, 0);
  assert.equal(b.stack.host.association(a.hit)?.state, "ESTABLISHED");
  assert.ok(a.delivered.some((d) => d.t > 3_000), "data flows again");
});

test("a slow sender (one datagram a second) into a vanished peer: noticed and given up", () => {
  const a1 = L("10.0.0.1");
  const { sim, a, b } = pair(43, a1, L("10.0.0.2"), policy);
  b.startFlow(a, 100, 8_000, 1_000); // far slower than probeIntervalMs: each datagram is unanswered
  sim.at(2_500, () => sim.partition(a1));
  sim.runUntil(8_000);
  const un = events(b, "peer-unreachable");
  assert.equal(un.length, 1);
  assert.ok(un[0].t >= 3_100 && un[0].t <= 3_100 + 300 + 1, `unreachable at ${un[0].t} (first unanswered datagram at 3100)`);
  const dead = events(b, "peer-dead");
  assert.equal(dead.length, 1);
  assert.ok(dead[0].t - un[0].t >= 2_000 && dead[0].t - un[0].t <= 2_101, `dead at ${dead[0].t}`);
});

test("sending again after an idle spell: a liveness AC first, no failover on the old silence", () => {
  const { sim, a, b } = pair(45, L("10.0.0.1"), L("10.0.0.2"), policy);
  b.startFlow(a, 100, 1_000, 1);
  b.startFlow(a, 6_000, 7_000, 1); // idle 1000-6000: longer than the watch (2 × 300 + 2000 ms)
  sim.runUntil(7_000);
  const late = (type: Parameters<typeof events>[1]) => events(b, type).filter((e) => e.t > 1_000);
  assert.equal(late("address-failed").length, 0, "no failover");
  assert.equal(late("peer-unreachable").length, 0);
  const acs = late("ac-sent").filter((e) => e.t >= 6_000);
  assert.ok(acs.length >= 1 && acs[0].t >= 6_000 + 100, `liveness AC at ${acs[0]?.t}, after probeIntervalMs`);
  assert.equal(events(b, "ac-sent").filter((e) => e.t > 1_000 + 2 * 300 + 2_000 + 1 && e.t < 6_000).length, 0, "no probes while idle");
});

test("peerDeadMs 0: never given up", () => {
  const a1 = L("10.0.0.1");
  const { sim, a, b } = pair(44, a1, L("10.0.0.2"), { ...policy, peerDeadMs: 0 });
  b.startFlow(a, 100, 5_000, 1);
  sim.at(1_000, () => sim.partition(a1));
  sim.runUntil(5_000);
  assert.equal(events(b, "peer-unreachable").length, 1);
  assert.equal(events(b, "peer-dead").length, 0);
  assert.ok(b.stack.host.association(a.hit));
});
