// Forwarding Agent scenarios on the real stack (HostStack + FaClient, ForwardingAgent core as a
// simulator node): an FA crash with re-lease and REA (draft §4.4.2), and a double jump where
// both hosts move within one round trip and recover through their FAs (§1, §3.5).
import assert from "node:assert/strict";
import { test } from "node:test";
import { unwrapRelay } from "../../src/fa/core/relay.ts";
import { runScenario } from "../../src/lab/scenarios.ts";

const espOf = (d: Uint8Array | undefined) => !!d && (d[0] | d[1] | d[2] | d[3]) !== 0;

for (const seed of [1, 3]) {
  test(`fa-crash (seed ${seed}): silence detected, lease from FA2, REA with SPIs of the new range, same association`, () => {
    const r = runScenario("fa-crash", seed);
    const tl = r.timeline.join("\n");
    assert.match(tl, /A: FA 10\.50\.0\.1 silent: leasing from 10\.60\.0\.1/);
    const range = /A: FA lease granted: 10\.60\.0\.1:10500 SPIs 0x([0-9a-f]+)-0x([0-9a-f]+)/.exec(tl);
    assert.ok(range, tl);
    const [lo, hi] = [Number.parseInt(range[1], 16), Number.parseInt(range[2], 16)];
    // The base exchange ran once (through FA1), before the crash: the session survived.
    assert.equal(r.timeline.filter((l) => l.includes("ESTABLISHED")).length, 2);
    assert.ok(r.timeline.filter((l) => l.includes("ESTABLISHED")).every((l) => Number.parseFloat(l) < 1000));
    assert.match(tl, /A: SA inbound 0x[0-9a-f]+ retired/);
    // After the re-lease, B's ESP reaches A through FA2 with an SPI from FA2's range.
    const viaFa2 = r.trace.filter((e) => e.kind === "delivered" && e.node === "A" && e.t > 1600 && e.from.ip === "10.60.0.1" && e.data);
    const inner = viaFa2.map((e) => unwrapRelay(e.data!)).filter((f) => f && espOf(f.payload));
    assert.ok(inner.length > 500, `relayed ESP ${inner.length}`);
    for (const f of inner) {
      const spi = new DataView(f!.payload.buffer, f!.payload.byteOffset).getUint32(0);
      assert.ok(spi >= lo && spi <= hi, `SPI 0x${spi.toString(16)} in the lease range`);
    }
    const s = r.summary;
    assert.equal(s.data_to_unverified, 0);
    assert.ok(s.handover_ms !== null && s.handover_ms <= s.bound_ms!, JSON.stringify(s));
  });

  test(`double-move (seed ${seed}): both move within one RTT, traffic flows through the FAs, then direct again`, () => {
    const r = runScenario("double-move", seed);
    const s = r.summary;
    assert.ok(s.handover_ms !== null && s.handover_ms <= s.bound_ms!, JSON.stringify(s));
    assert.ok(s.lost < 300 && s.lost_from_mover! < 300, JSON.stringify(s));
    assert.equal(s.data_to_unverified, 0);
    // Some data went through an FA after the moves, and at the end both use the new direct addresses.
    const relayed = r.trace.filter((e) => e.kind === "delivered" && e.t > 1000 && (e.from.ip === "10.50.0.1" || e.from.ip === "10.60.0.1") && e.data && espOf(unwrapRelay(e.data)?.payload));
    assert.ok(relayed.length > 0, "recovered through the FAs");
    const late = r.trace.filter((e) => e.kind === "delivered" && e.t > 2800 && espOf(e.data));
    assert.ok(late.some((e) => e.from.ip === "10.7.0.1" && e.to.ip === "10.8.0.2"), "A → B direct on the new addresses");
    assert.ok(late.some((e) => e.from.ip === "10.8.0.2" && e.to.ip === "10.7.0.1"), "B → A direct on the new addresses");
  });
}
