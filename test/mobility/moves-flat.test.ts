// State stays flat over many moves: a host that renumbers hundreds of times over its life (a
// phone walking between networks for days) leaves nothing per old address behind, at either end.
// Every collection reachable from both stacks is listed; the only ones allowed to reach the
// number of moves are those with a fixed cap, checked against it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { HIP_LIMITS } from "../../src/hip/limits.ts";
import { largeCollections } from "../helpers/collections.ts";
import { L, pair } from "./util.ts";

/** Collections bounded by construction, with their caps (the rest must stay below MOVES / 2). */
const CAPPED: [RegExp, number][] = [
  [/\.session\.peerAcIds$/, 512], // AC replay guard (session-exchange.ts)
  [/\.session\.answeredAcs$/, 256], // ACR re-answers (session-exchange.ts)
  [/\.session\.budget\.parent\.entries$/, HIP_LIMITS.maxProbeEntries], // host-wide probe budget (LRU)
];

test("300 renumberings under traffic both ways: every move handed over, and no state grows with the number of moves", () => {
  const MOVES = 300;
  const { sim, a, b } = pair(7, L("10.0.0.1"), L("10.0.0.2"));
  const until = 1000 + MOVES * 200 + 1000;
  b.startFlow(a, 100, until, 5);
  a.startFlow(b, 100, until, 5);
  let cur = L("10.0.0.1");
  for (let i = 0; i < MOVES; i++) {
    sim.at(1000 + i * 200, () => {
      const next = L(`10.${1 + (i >> 8)}.${i & 0xff}.1`);
      sim.renumber("A", cur, next);
      a.stack.local!.setAddresses(1, [next], sim.now);
      cur = next;
    });
  }
  sim.runUntil(until + 200);
  const last = 1000 + (MOVES - 1) * 200;
  assert.ok(a.delivered.filter((d) => d.t > last + 100).length >= 150, "B's data reaches A at its last address");
  assert.ok(b.delivered.filter((d) => d.t > last + 100).length >= 150, "A's data reaches B after its last move");
  assert.deepEqual(b.session(a).path?.to, cur);
  const grown: string[] = [];
  for (const [name, root] of [["A", a.stack], ["B", b.stack]] as const) {
    for (const c of largeCollections(root, MOVES / 2)) {
      const cap = CAPPED.find(([re]) => re.test(c.path));
      if (!cap || c.size > cap[1]) grown.push(`${name}: ${c.path} has ${c.size}${cap ? ` (cap ${cap[1]})` : ""}`);
    }
  }
  // Before: PathSelector kept a never-read "heard" time per (our address, peer address) pair.
  assert.deepEqual(grown, []);
});
