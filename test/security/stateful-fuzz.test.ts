// Issue 9 item 11: stateful fuzzing of ESTABLISHED associations (base exchange done, REA/AC/ACR
// mobility active, an FA lease held) in the deterministic simulator — at least 200,000 mutated,
// replayed, reordered and forged packets from a third party and from an authenticated malicious
// peer, with every invariant checked after every packet (test/security/fuzz/fuzzer.ts).
// Long campaigns: `npm run fuzz -- --packets N --seed S` (scripts/fuzz.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { StatefulFuzzer, type Violation } from "./fuzz/fuzzer.ts";
import { knownItem } from "./fuzz/known.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const PACKETS = Number(process.env.FUZZ_PACKETS ?? 200_000);

const f = new StatefulFuzzer({ seed: SEED });
let ran = false;

function runOnce(): void {
  if (ran) return;
  ran = true;
  f.run(PACKETS);
}

function line(v: Violation): string {
  return `seed ${v.seed} packet ${v.index} ${v.kind}: ${v.detail} (last injected: ${v.what}) — replay: npm run fuzz -- --seed ${v.seed} --packets ${v.index + 1}`;
}

function firstOfEach(vs: Violation[]): Violation[] {
  const seen = new Set<string>();
  return vs.filter((v) => {
    const k = `${v.kind}:${v.detail.replace(/0x[0-9a-f]+|[0-9a-f]{6,}|\d+/g, "#")}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

test(`stateful fuzz: ${PACKETS} packets, seed ${SEED}: no violation outside the known issue-9 bugs`, (t) => {
  runOnce();
  assert.ok(f.packets >= PACKETS);
  const w = f.world;
  t.diagnostic(`limits from ${f.limitSource}; worlds ${f.worlds}; actions ${JSON.stringify(f.actions)}`);
  t.diagnostic(`honest delivered A→B ${w.b.receivedFrom(w.a.hit)}, B→A ${w.a.receivedFrom(w.b.hit)}; violations ${JSON.stringify(f.counts)}`);
  const unknown = f.violations.filter((v) => !knownItem(v));
  for (const v of firstOfEach(unknown)) t.diagnostic(`NEW ${line(v)}`);
  assert.deepEqual(firstOfEach(unknown).map(line), []);
  // The harness really drove established state: the honest pair kept delivering (checked per window).
  assert.ok(w.b.receivedFrom(w.a.hit) > 0 && w.a.receivedFrom(w.b.hit) > 0);
});

test("stateful fuzz: the known issue-9 bugs are fixed (zero violations)", { todo: "items 1, 2, 4, 5 of issue 9 are being fixed in parallel; remove `todo` once merged" }, (t) => {
  runOnce();
  for (const v of firstOfEach(f.violations)) t.diagnostic(`${knownItem(v) ?? "NEW"}: ${line(v)}`);
  assert.deepEqual(f.counts, {});
});
