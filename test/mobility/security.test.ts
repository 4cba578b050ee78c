import assert from "node:assert/strict";
import { test } from "node:test";
import { sameLocator, type Locator, type Transmit } from "../../src/core/types.ts";
import type { SimEndpoint } from "../../src/sim/types.ts";
import { fillChecksum } from "../../src/wire/checksum.ts";
import { events, isHip, L, pair } from "./util.ts";

/** HIP packet type of a captured datagram (after the 4-byte zero marker). */
const typeOf = (d: Uint8Array) => d[4 + 2] & 0x7f;

function captured(sim: ReturnType<typeof pair>["sim"], type: number, from: Locator) {
  return sim.trace.filter((e) => e.kind === "sent" && isHip(e.data) && typeOf(e.data!) === type && sameLocator(e.from, from));
}

test("modified REA is rejected (bad HMAC) and counted; replayed REA/AC/ACR are rejected and counted", () => {
  const a1 = L("10.0.0.1");
  const a2 = L("10.5.0.1");
  const b1 = L("10.0.0.2");
  const { sim, a, b } = pair(21, a1, b1);
  sim.runUntil(500);
  const oldRea = captured(sim, 6, a1)[0];
  const ac = captured(sim, 9, b1)[0];
  const acr = captured(sim, 10, a1)[0];
  assert.ok(oldRea && ac && acr);
  const sb = b.session(a);
  const sa = a.session(b);
  // Replayed AC (already answered) and ACR (already taken): rejected, no new ACR.
  const acrs = sa.counters.acrSent;
  sim.inject(b1, a1, ac.data!);
  sim.inject(a1, b1, acr.data!);
  sim.runUntil(550);
  assert.equal(sa.counters.rejected["replayed-ac"], 1);
  assert.equal(sb.counters.rejected["replayed-acr"], 1);
  assert.equal(sa.counters.acrSent, acrs);
  // Modified: one address byte flipped inside REA_INFO.
  const bad = oldRea.data!.slice();
  bad[4 + 40 + 4 + 20 + 8 + 15] ^= 1;
  fillChecksum(bad.subarray(4), a1.ip, b1.ip); // an attacker fixes the checksum; the HMAC catches it
  sim.inject(a1, b1, bad);
  sim.runUntil(600);
  assert.equal(sb.counters.rejected["bad-hmac"], 1);
  // A moves: new REA; then the old REA is replayed: rejected, peer model unchanged.
  sim.at(700, () => {
    sim.renumber("A", a1, a2);
    a.stack.local!.setAddresses(1, [a2], sim.now);
  });
  sim.runUntil(900);
  const before = sb.peer.keys().join();
  sim.inject(a1, b1, oldRea.data!);
  sim.runUntil(1000);
  assert.equal(sb.counters.rejected["replayed-rea"], 1);
  assert.equal(sb.peer.keys().join(), before);
  assert.deepEqual(sb.path?.to, a2);
});

class Sink implements SimEndpoint {
  packets = 0;
  bytes = 0;
  data = 0;
  handleDatagram(_now: number, d: Uint8Array): void {
    this.packets++;
    this.bytes += d.length;
    if (!isHip(d)) this.data++;
  }
  handleTimeout(): void {}
  pollTransmit(): Transmit | undefined {
    return undefined;
  }
  pollTimeout(): number | undefined {
    return undefined;
  }
}

test("flooding attack: an REA naming a victim gets it only budgeted AC probes, never data", () => {
  const victim = L("192.0.2.66");
  const budget = { maxProbes: 3, maxBytes: 300, windowMs: 60_000 };
  const { sim, a, b } = pair(22, L("10.0.0.1"), L("10.0.0.2"), { budget });
  const sink = new Sink();
  sim.addNode("V", sink, [victim]);
  a.startFlow(b, 100, 5000, 1); // the stream the attacker wants redirected
  // Malicious B claims the victim's address on a new "interface", as preferred, and keeps
  // re-announcing it with fresh REA IDs (toggling the interface) to reset any per-REA limit.
  for (let i = 0; i < 10; i++)
    sim.at(1000 + i * 300, () => {
      b.stack.local!.addAddress(2, victim, sim.now, { preferred: true });
      b.stack.local!.setUp(2, i % 2 === 0);
    });
  sim.runUntil(5200);
  const sa = a.session(b);
  assert.equal(sink.data, 0, "no data toward the victim");
  assert.ok(sink.packets <= budget.maxProbes, `probes ${sink.packets}`);
  assert.ok(sink.bytes <= budget.maxBytes, `bytes ${sink.bytes}`);
  assert.equal(sa.counters.probesToUnverified, sink.packets);
  assert.equal(sa.counters.bytesToUnverified, sink.bytes);
  assert.ok(sa.counters.probesSuppressed > 0);
  assert.ok(events(a, "peer-rea").length >= 10, "every malicious REA was accepted as authentic");
  assert.deepEqual(sa.path?.to, L("10.0.0.2"), "data stays on the verified address");
  assert.ok(new Set(b.delivered.map((d) => d.n)).size >= 4890);
});
