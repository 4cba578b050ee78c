// A host that moves while its base exchange is in flight (a phone connecting as it leaves a
// network): the I1 (or I2) it sent from the address it gave up is sent again at once from the new
// one (HipHost.addressesGone), instead of at its next retransmission, 1 s later (RFC 7401 §6.6);
// the peer's answer to the first one goes to the old address and is lost.
// While the R1's puzzle is being solved (a crypto job in a runtime) nothing is sent; the I2 then
// leaves from the new address (it left from the one given up).
import assert from "node:assert/strict";
import { test } from "node:test";
import { L, pair } from "./util.ts";

for (const at of [5, 25] as const) {
  const what = at === 5 ? "I1" : "I2";
  test(`a move while the ${what} is in flight: sent again from the new address at once; established in a few RTTs, not after the 1 s retransmission`, () => {
    const oldA = L("10.0.0.1");
    const newA = L("10.9.0.1");
    // 10 ms each way: I1 at 0, R1 back at 20, I2 at ~20, R2 back at ~40.
    const { sim, a, b } = pair(at, oldA, L("10.0.0.2"));
    sim.at(at, () => sim.renumber("A", oldA, newA));
    sim.runUntil(900);
    const hip = a.stack.host.counters;
    assert.equal(hip["retransmit.moved"], 1, `the ${what} went again from ${newA.ip}`);
    assert.equal(hip.retransmit ?? 0, 0, "no timer retransmission was needed");
    assert.equal(a.stack.host.association(b.hit)?.state, "ESTABLISHED", "established before 900 ms");
    assert.deepEqual(a.stack.host.association(b.hit)?.localLocator, newA);
  });
}

test("a move while the R1's puzzle is being solved (a crypto job): the I2 leaves from the new address", async () => {
  const { Net } = await import("../hip/net.ts");
  const { runCryptoJob } = await import("../../src/hip/crypto-jobs.ts");
  const { nobleProvider } = await import("../../src/core/crypto/noble.ts");
  type Job = NonNullable<ReturnType<typeof ini.host.pollCryptoJob>>;
  const net = new Net();
  const ini = net.add(1, "10.0.0.1", { cryptoJobs: true });
  const res = net.add(2, "10.0.0.2", {});
  const i2From: string[] = [];
  net.tamper = (p, hip) => {
    if ((hip[2] & 0x7f) === 3) i2From.push(p.from.ip);
    return hip;
  };
  /** Run the Initiator's jobs (holding back a puzzle when `hold`); returns the puzzle held. */
  const jobs = (hold: boolean): Job | undefined => {
    let held: Job | undefined;
    for (let more = true; more; ) {
      more = false;
      for (let j = ini.host.pollCryptoJob(); j; j = ini.host.pollCryptoJob()) {
        if (hold && j.op === "puzzle") held = j;
        else ini.host.handleCryptoResult(net.now, j.id, runCryptoJob(nobleProvider, j) as never);
        more = true;
      }
    }
    return held;
  };
  ini.host.connect(0, res.loc, res.host.hit, ini.loc);
  net.run(15); // I1 out, R1 back: its signature is a job
  const puzzle = jobs(true);
  assert.ok(puzzle, "the R1's puzzle is a job");
  assert.equal(ini.host.association(res.host.hit)?.solvingK, 8);
  // The host moves while it solves: no packet goes now (no retransmission while solving).
  const old = ini.loc;
  ini.loc = L("10.9.0.1");
  ini.host.addressesGone(net.now, [old], () => ini.loc);
  ini.host.handleCryptoResult(net.now, puzzle.id, runCryptoJob(nobleProvider, puzzle) as never);
  for (let t = net.now; t < 200; t += 5) {
    jobs(false);
    net.run(t + 5);
  }
  assert.deepEqual(i2From, ["10.9.0.1"], "the I2 left from the new address");
  assert.equal(ini.host.association(res.host.hit)?.state, "ESTABLISHED");
  assert.deepEqual(res.host.association(ini.host.hit)?.peerLocator, L("10.9.0.1"));
});
