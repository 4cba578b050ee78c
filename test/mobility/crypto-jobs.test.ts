// REA signature verification as a crypto job (src/mobility/rea-verify.ts): two whole HostStacks
// in the simulator, one host renumbers; with cryptoJobs the simulator runs the jobs with @noble
// at once, and every datagram on the wire is the same as with inline crypto.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator } from "../../src/core/types.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { HostStack } from "../../src/runtime/stack.ts";
import { Simulator } from "../../src/sim/index.ts";

const L = (ip: string): Locator => ({ ip, port: 10500 });

function run(cryptoJobs: boolean) {
  const sim = new Simulator({ seed: 7, link: { latency: 10 }, trace: "data" });
  const mk = (addr: Locator) => {
    const rng = sim.forkRng();
    return new HostStack({ host: { identity: HostIdentity.generate(rng), rng, dhGroups: [7], cryptoJobs }, mobility: {}, addresses: [addr] });
  };
  const [oldA, newA, bAddr] = [L("10.0.0.1"), L("10.9.0.1"), L("10.0.0.2")];
  const a = mk(oldA);
  const b = mk(bAddr);
  sim.addNode("A", a, [oldA]);
  sim.addNode("B", b, [bAddr]);
  sim.at(0, () => a.connect(sim.now, bAddr, b.hit, oldA));
  sim.at(500, () => {
    sim.renumber("A", oldA, newA);
    a.local!.setAddresses(1, [newA], sim.now);
  });
  sim.runUntil(1500);
  const wire = sim.trace.filter((e) => e.kind === "sent").map((e) => (e as { data?: Uint8Array }).data);
  return { a, b, wire };
}

test("REA verified by a crypto job: address verified after a move, same datagrams as inline crypto", () => {
  const inline = run(false);
  const jobs = run(true);
  for (const r of [inline, jobs]) {
    const s = r.b.mobility!.session(r.a.hit)!;
    assert.deepEqual(s.path?.to, L("10.9.0.1"), "B moved its path to A's new address");
    assert.equal(r.b.host.counters["rx.REA"], 1, "the REA after the move");
    assert.equal(r.b.host.counters.drop ?? 0, 0);
    assert.equal(r.b.mobility!.counters["drop.crypto_pending"] ?? 0, 0);
  }
  assert.equal(inline.b.host.crypto.queuedTotal, 0);
  // B (Responder): ECDH, I2 signature, R2 signature; then the REA's signature.
  assert.equal(jobs.b.host.crypto.queuedTotal, 4);
  assert.ok(jobs.wire.length > 4);
  assert.deepEqual(jobs.wire, inline.wire);
});
