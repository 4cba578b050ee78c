import assert from "node:assert/strict";
import { test } from "node:test";
import { runScenario, SCENARIOS } from "../../src/lab/scenarios.ts";

test("every lab scenario meets its stated bound, never sends data to an unverified address", () => {
  for (const name of SCENARIOS) {
    const { summary: s, timeline } = runScenario(name, 1);
    assert.ok(timeline.length > 5, name);
    assert.equal(s.data_to_unverified, 0, name);
    if (s.bound_ms !== null) assert.ok(s.handover_ms !== null && s.handover_ms <= s.bound_ms, `${name}: ${s.handover_ms} > ${s.bound_ms}`);
  }
  assert.equal(runScenario("make-before-break", 2).summary.lost, 0);
  assert.equal(runScenario("renumber", 3).summary.lost, 0);
  const f = runScenario("flood-attack", 4).summary;
  assert.ok(f.ac_probes_to_unverified <= 3 && f.bytes_to_unverified <= 300 && f.lost === 0);
});
