// HipHost.pollTimeout caches the earliest association deadline (a runtime polls once per
// event-loop turn; a scan per turn over thousands of associations cost more than their ESP
// traffic). Setting a timer (state, retransmit, deadline) refreshes it at once; activity that
// only postpones the UAL deadline leaves an early bound, whose wake-up closes nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Net } from "./net.ts";

test("pollTimeout: an early bound after ESP postpones UAL wakes for nothing, then is exact", () => {
  const net = new Net();
  const a = net.add(71, "192.0.2.1", { checksum: "zero" });
  const b = net.add(72, "192.0.2.2", { checksum: "zero", limits: { ualIdleMs: 10_000 } });
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(1000);
  const assoc = b.host.association(a.host.hit)!;
  b.host.noteEspReceived(1000, assoc.spiIn, a.loc); // R2-SENT → ESTABLISHED, UAL from 1000
  assert.equal(assoc.state, "ESTABLISHED");
  assert.equal(b.host.pollTimeout(), 11_000);
  b.host.noteEspReceived(5000, assoc.spiIn, a.loc); // the true deadline moves to 15 000
  const early = b.host.pollTimeout()!;
  assert.ok(early >= 11_000 && early <= 15_000, `an early bound, not later than the truth: ${early}`);
  b.host.handleTimeout(early);
  assert.equal(b.host.association(a.host.hit), assoc, "nothing was due at the early bound");
  assert.equal(b.host.counters["ual.closed"] ?? 0, 0);
  assert.equal(b.host.pollTimeout(), 15_000, "exact after the wake-up");
  b.host.handleTimeout(15_000);
  assert.equal(assoc.state, "CLOSING", "idle at the true deadline: CLOSE sent");
  assert.equal(b.host.counters["ual.closed"], 1);
});

test("pollTimeout: a timer set after the value was cached is seen at once (new exchange, CLOSE)", () => {
  const net = new Net();
  const a = net.add(73, "192.0.2.1", { checksum: "zero" });
  const b = net.add(74, "192.0.2.2", { checksum: "zero", limits: { ualIdleMs: 600_000 } });
  const c = net.add(75, "192.0.2.3", { checksum: "zero" });
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(1000);
  const assoc = b.host.association(a.host.hit)!;
  b.host.noteEspReceived(1000, assoc.spiIn, a.loc);
  assert.equal(b.host.pollTimeout(), 601_000, "cached: the UAL deadline only");
  // A new exchange from b: its I1 retransmission timer is earlier than everything cached.
  b.host.connect(2000, c.loc, c.host.hit, b.loc);
  const i1 = b.host.pollTimeout()!;
  assert.ok(i1 > 2000 && i1 < 10_000, `the I1 retransmission: ${i1}`);
  // Let it complete, then close a: CLOSE's retransmission timer is seen too.
  net.run(3000);
  assert.equal(b.host.association(c.host.hit)?.state, "ESTABLISHED");
  const before = b.host.pollTimeout()!;
  b.host.close(3000, a.host.hit);
  const closing = b.host.pollTimeout()!;
  assert.ok(closing > 3000 && closing < before, `the CLOSE retransmission (${closing}) before ${before}`);
});
