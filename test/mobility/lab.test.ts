import assert from "node:assert/strict";
import { test } from "node:test";
import { runScenario, SCENARIOS } from "../../src/lab/scenarios.ts";

test("every lab scenario (real stack) meets its stated bounds, never sends data to an unverified address", () => {
  for (const name of SCENARIOS) {
    const { summary: s, timeline } = runScenario(name, 1);
    assert.ok(timeline.length > 5, name);
    assert.equal(s.data_to_unverified, 0, name);
    assert.match(s.base_exchange as string, /real/);
    if (s.bound_ms !== null) assert.ok(s.handover_ms !== null && s.handover_ms <= s.bound_ms, `${name}: toward the mover ${s.handover_ms} > ${s.bound_ms}`);
    if (s.bound_from_mover_ms !== null)
      assert.ok(s.handover_ms_from_mover !== null && s.handover_ms_from_mover <= s.bound_from_mover_ms, `${name}: from the mover ${s.handover_ms_from_mover} > ${s.bound_from_mover_ms}`);
  }
});

test("lab acceptance: make-before-break and renumber lose nothing, handover from the mover within 1 RTT, flood budget holds", () => {
  assert.equal(runScenario("make-before-break", 2).summary.lost, 0);
  assert.equal(runScenario("renumber", 3).summary.lost, 0);
  const h = runScenario("handover", 5).summary;
  assert.ok(h.handover_ms_from_mover !== null && h.handover_ms_from_mover <= h.rtt_ms, `from mover ${h.handover_ms_from_mover}`);
  assert.ok((h.esp_in_rea as number) >= 1, "first datagram rode inside the REA");
  const f = runScenario("flood-attack", 4).summary;
  assert.ok(f.ac_probes_to_unverified <= 3 && f.bytes_to_unverified <= 300 && f.lost === 0, JSON.stringify(f));
});

test("FA labs: fa-crash re-leases and the session survives; double-move recovers through the FAs", () => {
  for (const seed of [1, 2]) {
    const c = runScenario("fa-crash", seed).summary;
    assert.ok(c.handover_ms !== null && c.handover_ms <= c.bound_ms!, `fa-crash seed ${seed}: ${JSON.stringify(c)}`);
    assert.ok(c.lost < 700 && c.lost_from_mover! < 700, `fa-crash seed ${seed}: lost ${c.lost}/${c.lost_from_mover}`);
    const d = runScenario("double-move", seed).summary;
    assert.ok(d.handover_ms !== null && d.handover_ms <= d.bound_ms!, `double-move seed ${seed}: ${JSON.stringify(d)}`);
    assert.ok(d.lost < 300 && d.lost_from_mover! < 300, `double-move seed ${seed}: lost ${d.lost}/${d.lost_from_mover}`);
  }
});
