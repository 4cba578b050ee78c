// Guided exercises (web/demo/exercises.ts) against the runs they are asked about, in Node: every
// exercise's scenarios give it an answer (a question the run cannot answer would show a Check
// button that never says yes), and the dead-peer answer is the lab's unreachable time.
import assert from "node:assert/strict";
import { test } from "node:test";
import "../../src/entry/node.ts";
import { EXERCISES } from "../../web/demo/exercises.ts";
import { labSource } from "../../web/demo/sources.ts";
import type { ScenarioName } from "../../src/lab/scenarios.ts";

test("every guided exercise has an answer in each of its scenarios' runs", () => {
  for (const e of EXERCISES) {
    for (const name of e.scenarios) {
      const a = e.answer(labSource(name as ScenarioName, 1));
      assert.equal(typeof a, "number", `${e.id} in ${name}`);
    }
  }
  const src = labSource("peer-dead", 1);
  const dead = EXERCISES.find((e) => e.id === "dead-peer")!;
  assert.equal(dead.answer(src), src.summary?.unreachable_ms);
  assert.ok((dead.answer(src) as number) > 150 && (dead.answer(src) as number) <= 161, "within the failover bound");
});
