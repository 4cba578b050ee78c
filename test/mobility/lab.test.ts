import assert from "node:assert/strict";
import { test } from "node:test";
import { type LabResult, runLab, runScenario, SCENARIOS, type ScenarioName } from "../../src/lab/scenarios.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { checkSummary } from "./lab-check.ts";

const runs = new Map<string, LabResult>();
const run = (name: ScenarioName, seed: number) => {
  const k = `${name}/${seed}`;
  if (!runs.has(k)) runs.set(k, runScenario(name, seed));
  return runs.get(k)!;
};

test("every lab scenario (real stack) meets its derived bounds per direction, never sends data to an unverified address", () => {
  for (const name of SCENARIOS) {
    const { summary: s, timeline } = run(name, 1);
    assert.ok(timeline.length > 5, name);
    assert.match(s.base_exchange as string, /real/);
    checkSummary(s);
  }
});

test("lab acceptance: make-before-break and renumber lose nothing, handover from the mover within 1 RTT, flood budget holds", () => {
  assert.equal(runScenario("make-before-break", 2).summary.lost, 0);
  assert.equal(runScenario("renumber", 3).summary.lost, 0);
  const h = runScenario("handover", 5).summary;
  assert.ok(h.handover_ms_from_mover !== null && h.handover_ms_from_mover <= h.rtt_ms, `from mover ${h.handover_ms_from_mover}`);
  assert.equal(h.handover_ms, h.handover_ms_from_mover);
  assert.equal(h.handover_ms_to_mover, 2 * h.rtt_ms, "§6.5 by default: REA, AC, ACR, data");
  assert.ok((h.esp_in_rea as number) >= 1, "first datagram rode inside the REA");
  for (const [name, seed] of [["flood-attack", 1], ["flood-attack-credit", 4]] as const) {
    const f = run(name, seed).summary;
    assert.ok(f.ac_probes_to_unverified <= 3 && f.bytes_to_unverified <= 300 && f.lost === 0, JSON.stringify(f));
    assert.equal(f.data_to_unverified + (f.data_to_victim as number), 0, `${name}: no data to the victim`);
  }
  // The two flood runs differ: with source credit, B's own new address (the REAs' source) gets data
  // before its ACR, so fewer A → B datagrams are lost; the victim is treated the same.
  const [plain, credit] = [run("flood-attack", 1).summary, run("flood-attack-credit", 4).summary];
  assert.equal(plain.data_on_credit, 0);
  assert.ok(credit.data_on_credit > 0 && credit.credit_bytes_sent <= 3 * credit.credit_bytes_received, JSON.stringify(credit));
  assert.ok((credit.lost_from_mover as number) < (plain.lost_from_mover as number), `${credit.lost_from_mover} vs ${plain.lost_from_mover}`);
  assert.equal(credit.ac_probes_to_unverified, plain.ac_probes_to_unverified);
});

test("restart: B crashes and comes back with no state; it rejoins at A's liveness AC and data flows both ways within the derived bounds", () => {
  const r = run("restart", 1);
  const s = r.summary;
  const [toB, toA] = [s.rejoin_to_restarted_ms as number | null, s.rejoin_from_restarted_ms as number | null];
  assert.ok(toB !== null && toB <= (s.rejoin_bound_to_restarted_ms as number), JSON.stringify(s));
  assert.ok(toA !== null && toA <= (s.rejoin_bound_from_restarted_ms as number), JSON.stringify(s));
  assert.ok(r.timeline.some((l) => /B: association with A ESTABLISHED \(Initiator\)/.test(l)), "the restarted host rejoined as the Initiator");
  assert.ok(r.timeline.some((l) => /A: association with B ESTABLISHED \(Responder\)/.test(l)), "A replaced its association");
  assert.ok(!r.timeline.some((l) => /failed/.test(l)), "nothing failed");
});

test("peer-dead: B vanishes; A reports it unreachable within the failover bound and gives the association up after peerDeadMs", () => {
  const r = run("peer-dead", 1);
  const s = r.summary;
  const [un, dead] = [s.unreachable_ms as number | null, s.given_up_after_unreachable_ms as number | null];
  assert.ok(un !== null && un <= (s.unreachable_bound_ms as number), JSON.stringify(s));
  assert.ok(dead !== null && dead >= 1000 && dead <= (s.given_up_bound_ms as number), JSON.stringify(s));
  assert.ok(r.timeline.some((l) => /A: peer unreachable/.test(l)), "timeline shows it");
  assert.ok(r.timeline.some((l) => /A: association with B closed \(unreachable\)/.test(l)), "A gave the association up");
  // No CLOSE on the wire (the trace has every datagram; HIP type at byte 4 + 2 after the UDP marker).
  const { world } = runLab("peer-dead", 1);
  const closes = world.sim.trace.filter((e) => e.kind === "sent" && e.data && e.data.length > 8 && e.data[0] === 0 && e.data[1] === 0 && e.data[2] === 0 && e.data[3] === 0 && (e.data[6] & 0x7f) === PacketType.CLOSE);
  assert.equal(closes.length, 0, "no CLOSE");
});

test("handover-fast (sourceCredit): traffic toward the mover resumes after 1 RTT, within 3× the bytes received", () => {
  const f = run("handover-fast", 1).summary;
  const h = run("handover", 1).summary;
  assert.ok(f.handover_ms_to_mover !== null && f.handover_ms_to_mover <= f.rtt_ms, JSON.stringify(f));
  assert.ok(f.data_on_credit > 0 && f.credit_bytes_sent <= 3 * f.credit_bytes_received, JSON.stringify(f));
  assert.ok(f.lost < h.lost, `fewer lost than with §6.5 alone: ${f.lost} vs ${h.lost}`);
  assert.equal(f.data_to_unverified, 0);
});

test("rekey: new ESP keys under traffic, with a new Diffie-Hellman, then from the new KEYMAT; nothing lost, each switch within its bound", () => {
  const r = run("rekey", 1);
  const s = r.summary;
  assert.equal(s.lost, 0, JSON.stringify(s));
  assert.equal(s.lost_from_mover, 0, JSON.stringify(s));
  assert.equal(s.rekeys_with_dh, 1);
  assert.equal(s.rekeys_done, 2);
  for (const k of ["dh", "plain"]) {
    const from = s[`rekey_${k}_from_requester_ms`] as number | null;
    const to = s[`rekey_${k}_to_requester_ms`] as number | null;
    assert.ok(from !== null && from <= (s.rekey_bound_from_requester_ms as number), `${k}: ${JSON.stringify(s)}`);
    assert.ok(to !== null && to <= (s.rekey_bound_to_requester_ms as number), `${k}: ${JSON.stringify(s)}`);
  }
  assert.equal(r.timeline.filter((l) => /rekeyed: now in/.test(l)).length, 4, "both sides switched, twice");
  assert.ok(!r.timeline.some((l) => /failed|closed/.test(l)));
});
