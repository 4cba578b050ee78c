// A mobility policy with a number that cannot work is refused with the field's name (RangeError)
// when the host is made. Before, it was taken: probeIntervalMs NaN never probed (a dead path was
// never detected), a budget of NaN bounded nothing, and a field given as undefined replaced its
// default (the same NaN a step later).
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { DEFAULT_POLICY, makePolicy, type MobilityPolicy } from "../../src/mobility/policy.ts";
import { HostStack } from "../../src/runtime/stack.ts";
import "../../src/wasm/loader.ts"; // the embedded WASM module (HostStack)

test("mobility policy: NaN, infinite, negative, fractional, unknown fields throw naming the field; undefined keeps the default", () => {
  for (const [p, want] of [
    [{ probeIntervalMs: Number.NaN }, /MobilityPolicy\.probeIntervalMs: NaN/],
    [{ failoverTimeoutMs: Number.POSITIVE_INFINITY }, /failoverTimeoutMs: Infinity/],
    [{ maxRtoMs: 0 }, /maxRtoMs: 0: want at least 1/],
    [{ maxUnverified: 2.5 }, /maxUnverified: 2\.5/],
    [{ budget: { maxProbes: Number.NaN } }, /MobilityPolicy\.budget\.maxProbes: NaN/],
    [{ preferFamily: 5 }, /preferFamily: 5: want 0, 4 or 6/],
    [{ trustPeer: "yes" }, /trustPeer: yes: want a boolean/],
    [{ probeInterval: 100 }, /MobilityPolicy\.probeInterval: unknown \(want one of trustPeer, /],
  ] as [Partial<MobilityPolicy>, RegExp][]) {
    assert.throws(() => makePolicy(p), (e: unknown) => e instanceof RangeError && want.test(e.message), JSON.stringify(p));
  }
  const p = makePolicy({ peerDeadMs: 0, probeIntervalMs: undefined, budget: { maxBytes: 3000, maxProbes: undefined } as unknown as MobilityPolicy["budget"], sourceCreditFactor: 1.5 });
  assert.equal(p.peerDeadMs, 0, "0 = never");
  assert.equal(p.probeIntervalMs, DEFAULT_POLICY.probeIntervalMs, "undefined keeps the default");
  assert.deepEqual(p.budget, { ...DEFAULT_POLICY.budget, maxBytes: 3000 });
  assert.equal(p.sourceCreditFactor, 1.5);
  // Through a host: refused when it is made.
  const rng = new SeededRng(4);
  assert.throws(
    () => new HostStack({ host: { identity: HostIdentity.generate(rng), rng }, mobility: { policy: { failoverTimeoutMs: Number.NaN } }, addresses: [{ ip: "192.0.2.1", port: 10500 }] }),
    /MobilityPolicy\.failoverTimeoutMs: NaN/,
  );
});
