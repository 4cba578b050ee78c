// The lab spec (src/lab/spec.ts + custom.ts) without a browser: URL text round trip, bounds,
// entries that do not fit a scenario, and determinism of runs with actions (same spec → same trace).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runLab } from "../../src/lab/scenarios.ts";
import { decodeActions, decodeLinks, encodeActions, encodeLinks } from "../../src/lab/spec.ts";
import { traceFingerprint } from "../../src/sim/trace.ts";
import { parseParams } from "../../web/demo/params.ts";

test("spec text round trip, with bad entries reported and skipped", () => {
  const e: string[] = [];
  const links = decodeLinks("A-B_lat20_jit2_loss2.5_bw50000,A-A_lat1,A-B_foo3,A-FA1_loss101", e);
  assert.deepEqual(links, [{ a: "A", b: "B", latency: 20, jitter: 2, loss: 2.5, bandwidth: 50000 }]);
  assert.equal(e.length, 3, e.join("\n"));
  assert.equal(encodeLinks(links), "A-B_lat20_jit2_loss2.5_bw50000");
  const e2: string[] = [];
  const acts = decodeActions("flood_B_1800,move_A_1200,nope_A_1,move_A_5000,move_A_x", e2);
  assert.deepEqual(acts, [{ kind: "move", node: "A", t: 1200 }, { kind: "flood", node: "B", t: 1800 }]);
  assert.equal(e2.length, 3, e2.join("\n"));
  assert.equal(encodeActions(acts), "move_A_1200,flood_B_1800");
});

test("restart and power-off actions: the restarted host rejoins, the powered-off one is reported unreachable", () => {
  const e: string[] = [];
  const r = runLab("handover", 3, { links: [], actions: decodeActions("restart_B_1500", e) });
  assert.deepEqual(e, []);
  assert.equal(encodeActions(decodeActions("restart_B_1500,power-off_A_2000", e)), "restart_B_1500,power-off_A_2000");
  assert.ok(r.result.timeline.some((l) => /lab action at 1500 ms: B crashes and restarts/.test(l)), "noted");
  assert.ok(r.result.timeline.some((l) => /B: association with A ESTABLISHED \(Initiator\)/.test(l)), "B rejoined as the Initiator");
  const p = runLab("handover", 3, { links: [], actions: decodeActions("power-off_B_1500", e) });
  assert.ok(p.result.timeline.some((l) => /A: peer unreachable/.test(l)), "A reported B unreachable");
  assert.ok(!p.result.trace.some((x) => x.kind === "sent" && x.node === "B" && x.t > 1500), "B sends nothing after the power cut");
});

test("page parameters: fallbacks with one message each", () => {
  const p = parseParams("?scenario=nope&seed=99999999999&speed=0&at=-1&run=maybe&compare=zzz&x=1", (id) => id === "handover", "handover");
  assert.deepEqual([p.scenario, p.seed, p.speed, p.at, p.run, p.compare], ["handover", undefined, 25, undefined, false, undefined]);
  assert.equal(p.messages.length, 7, p.messages.join("\n"));
  const q = parseParams("?speed=50&seed=7&at=1005&run=1", () => true, "x");
  assert.deepEqual([q.speed, q.seed, q.at, q.run, q.messages], [50, 7, 1005, true, []]);
  assert.equal(parseParams("?speed=instant", () => true, "x").speed, Number.POSITIVE_INFINITY);
});

test("runs with actions are deterministic and differ from the plain run; misfit entries are reported", () => {
  const e: string[] = [];
  const spec = { links: decodeLinks("A-B_loss3_jit1", e), actions: decodeActions("move_A_1500,forge-rea_A_1600,crash-fa_FA1_100,replay-i2_B_1700", e) };
  const a = runLab("handover", 2, spec);
  const b = runLab("handover", 2, spec);
  assert.equal(traceFingerprint(a.result.trace), traceFingerprint(b.result.trace));
  assert.notEqual(traceFingerprint(a.result.trace), traceFingerprint(runLab("handover", 2).result.trace));
  assert.deepEqual(a.errors, ["crash-fa FA1: no Forwarding Agent FA1 in this scenario"]);
  assert.ok(a.result.summary.rejected >= 1, "the forged REA was rejected");
  assert.ok(a.result.trace.some((x) => x.kind === "sent" && x.from.ip === "198.51.100.66"), "attacker's datagram on the wire");
});
