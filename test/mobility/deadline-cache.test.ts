// MobilitySession caches pollTimeout's answer between its inputs (session.ts: handle*, dataPath,
// probeNow mark it stale). This checks the cache against a fresh computation at every poll of
// every lab scenario (real stack, simulated network): an input that forgot to mark the cache
// stale would show up as a wrong deadline here (a late retransmission or probe in the field).
// Checked to fail when handlePacket, handleEspInbound, handleTimeout or dataPath stops marking the
// cache; probeNow (an FA back, privacy mode) is not reached by the lab scenarios.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runScenario, SCENARIOS } from "../../src/lab/scenarios.ts";
import { MobilitySession } from "../../src/mobility/session.ts";

type Internals = { earliestDue(): number | undefined; seenGeneration: number; local: { generation: number } };

test("MobilitySession deadline cache: every pollTimeout of every lab scenario equals a fresh computation", () => {
  const proto = MobilitySession.prototype as unknown as { pollTimeout(): number | undefined };
  const cached = proto.pollTimeout;
  let polls = 0;
  const wrong: string[] = [];
  proto.pollTimeout = function (this: MobilitySession) {
    const got = cached.call(this);
    const s = this as unknown as Internals;
    const due = s.earliestDue();
    const fresh = s.seenGeneration !== s.local.generation ? (due === undefined ? 0 : Math.min(due, 0)) : due;
    polls++;
    if (got !== fresh && wrong.length < 5) wrong.push(`cached ${got}, fresh ${fresh}`);
    return got;
  };
  // Also right after each input (not only when the driver polls): the answer must already be right.
  const inputs = ["handleLocalChange", "handlePacket", "handleEspInbound", "handleTimeout", "dataPath", "probeNow"] as const;
  const methods = MobilitySession.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const originals = inputs.map((k) => [k, methods[k]] as const);
  for (const [k, f] of originals) {
    assert.equal(typeof f, "function", k);
    methods[k] = function (this: MobilitySession, ...a: unknown[]) {
      const r = f.apply(this, a);
      (this as unknown as { pollTimeout(): unknown }).pollTimeout();
      return r;
    };
  }
  try {
    for (const name of SCENARIOS) for (const seed of [1, 2]) runScenario(name, seed);
  } finally {
    proto.pollTimeout = cached;
    for (const [k, f] of originals) methods[k] = f;
  }
  assert.ok(polls > 1000, `${polls} polls`);
  assert.deepEqual(wrong, []);
});
