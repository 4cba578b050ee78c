// The integrated stack over a range of seeds: every lab scenario keeps its bounds and never
// sends data to an unverified address (movement, make-before-break, multi-homed failover,
// renumbering, IPv4 → IPv6, flood attack with byte accounting).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runScenario } from "../../src/lab/scenarios.ts";

const NAMES = ["handover", "make-before-break", "failover", "renumber", "v4-to-v6", "flood-attack"] as const;

for (const seed of [11, 12, 13]) {
  test(`lab scenarios on the real stack, seed ${seed}`, () => {
    for (const name of NAMES) {
      const s = runScenario(name, seed).summary;
      assert.equal(s.data_to_unverified, 0, `${name}: data to an unverified address`);
      assert.equal(s.rejected, 0, `${name}: an authentic packet was rejected`);
      if (s.bound_ms !== null) assert.ok(s.handover_ms !== null && s.handover_ms <= s.bound_ms, `${name}: ${JSON.stringify(s)}`);
      if (s.bound_from_mover_ms !== null) assert.ok(s.handover_ms_from_mover !== null && s.handover_ms_from_mover <= s.bound_from_mover_ms, `${name}: ${JSON.stringify(s)}`);
      if (name === "make-before-break" || name === "renumber") assert.equal(s.lost, 0, name);
      if (name === "flood-attack") assert.ok(s.ac_probes_to_unverified <= 3 && s.bytes_to_unverified <= 300 && s.lost === 0, JSON.stringify(s));
    }
  });
}
