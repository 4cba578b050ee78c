// The integrated stack over a range of seeds: every lab scenario keeps its derived bounds and never
// sends data to an unverified address (movement, make-before-break, multi-homed failover,
// renumbering, IPv4 → IPv6, flood attack with byte accounting, source credit). The FA scenarios
// run in fa-labs.test.ts. More seeds: HIPMM_LAB_SEEDS=1,2,3,4,5,6,7,8,9,10 node scripts/test.mjs seeds
import assert from "node:assert/strict";
import { test } from "node:test";
import { runScenario } from "../../src/lab/scenarios.ts";
import { checkSummary } from "../mobility/lab-check.ts";

const NAMES = ["handover", "handover-fast", "make-before-break", "failover", "renumber", "v4-to-v6", "flood-attack", "flood-attack-credit"] as const;
const SEEDS = (process.env.HIPMM_LAB_SEEDS ?? "11,12").split(",").map(Number);

for (const seed of SEEDS) {
  test(`lab scenarios on the real stack, seed ${seed}`, () => {
    for (const name of NAMES) {
      const s = runScenario(name, seed).summary;
      checkSummary(s);
      assert.equal(s.rejected, 0, `${name}: an authentic packet was rejected`);
      if (name === "make-before-break" || name === "renumber") assert.equal(s.lost, 0, name);
      if (name.startsWith("flood-attack")) assert.ok(s.ac_probes_to_unverified <= 3 && s.bytes_to_unverified <= 300 && s.lost === 0 && s.data_to_victim === 0, JSON.stringify(s));
    }
  });
}
