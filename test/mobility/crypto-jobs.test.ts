// REA signing and verification as crypto jobs (src/mobility/rea-verify.ts): two whole HostStacks
// in the simulator, one host renumbers; with cryptoJobs the simulator runs the jobs with @noble
// at once, and every datagram on the wire is the same as with inline crypto.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator } from "../../src/core/types.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { FaClientOptions } from "../../src/fa/client/client.ts";
import { addFa } from "../../src/lab/fa.ts";
import { HostStack } from "../../src/runtime/stack.ts";
import { Simulator } from "../../src/sim/index.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

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
    assert.deepEqual(Object.entries(r.b.host.counters).filter(([k]) => k.startsWith("drop")), []);
    assert.equal(r.b.mobility!.counters["drop.crypto_pending"] ?? 0, 0);
  }
  assert.equal(inline.b.host.crypto.queuedTotal, 0);
  // A (Initiator, the mover): its REA is signed by a job too (the REA waits for it, rea-verify.ts
  // ReaSignatures.sign), so nothing public-key runs inline; without jobs all of it is @noble inline.
  assert.equal(jobs.a.host.crypto.queuedTotal, 5);
  assert.deepEqual(jobs.a.host.crypto.inline, { native: 0, noble: 0 });
  assert.equal(inline.a.host.crypto.inline.noble, 5);
  // B (Responder): ECDH, I2 signature, R2 signature; then the REA's signature.
  assert.equal(jobs.b.host.crypto.queuedTotal, 4);
  assert.ok(jobs.wire.length > 4);
  assert.deepEqual(jobs.wire, inline.wire);
});

test("REA verify job (WebCrypto and @noble): good signature opens, a wrong signer is bad-signature, a bad HMAC never makes a job", async () => {
  const { SeededRng } = await import("../../src/core/rng.ts");
  const { mobilityContext } = await import("../../src/mobility/codec.ts");
  const { ReaSignatures } = await import("../../src/mobility/rea-verify.ts");
  const { CryptoJobs, runCryptoJob } = await import("../../src/hip/crypto-jobs.ts");
  const { WebCryptoProvider } = await import("../../src/core/crypto/webcrypto.ts");
  const { nobleProvider } = await import("../../src/core/crypto/noble.ts");
  const rng = new SeededRng(4);
  const [x, y, mallory] = [HostIdentity.generate(rng), HostIdentity.generate(rng), HostIdentity.generate(rng)];
  const [k1, k2] = [rng.fill(new Uint8Array(20)), rng.fill(new Uint8Array(20))];
  const from = L("10.0.0.1");
  const to = L("10.0.0.2");
  const info = { interfaceId: 1, currentSpiReverse: 2, currentSpi: 1, newSpi: 1, keymatIndex: 0, reaId: 7, addresses: [{ locator: from, lifetime: 60, preferred: true }] };
  const sender = (signer: HostIdentity, key: Uint8Array) =>
    mobilityContext({ localHit: x.hit, peerHit: y.hit, hmacKeyOut: key, hmacKeyIn: k2, sign: (d) => ({ algorithm: signer.algorithm, signature: signer.sign(d) }), verifyPeer: () => false, spis: () => ({ inbound: 1, outbound: 2 }) });
  const good = sender(x, k1).seal({ type: "REA", infos: [info] }, from, to);
  const forged = sender(mallory, k1).seal({ type: "REA", infos: [info] }, from, to);
  const badMac = sender(x, k2).seal({ type: "REA", infos: [info] }, from, to);
  const web = await WebCryptoProvider.create();
  for (const provider of [web!, nobleProvider]) {
    const sigs = new ReaSignatures();
    const peer = x.toPeer();
    const inner = mobilityContext({ localHit: y.hit, peerHit: x.hit, hmacKeyOut: k2, hmacKeyIn: k1, sign: (d) => ({ algorithm: y.algorithm, signature: y.sign(d) }), verifyPeer: (d, _a, s) => sigs.verify(d, s, () => peer.verify(d, s)), spis: () => ({ inbound: 2, outbound: 1 }) });
    const ctx = sigs.wrap(inner);
    const jobs = new CryptoJobs(true, 8);
    const assoc = { peerIdentity: peer } as Parameters<typeof sigs.defer>[2];
    const open = async (raw: Uint8Array) => {
      let out: ReturnType<typeof ctx.open> | undefined;
      if (!sigs.defer(0, jobs, assoc, inner, raw, from, to, () => (out = ctx.open(raw, from, to)), () => {})) return { direct: ctx.open(raw, from, to) };
      const job = jobs.poll()!;
      assert.equal(job.op, "verify");
      jobs.take(job.id)?.(0, await runCryptoJob(provider, job));
      return { job: out };
    };
    const g = await open(good);
    assert.equal(g.job?.ok, true, provider.name);
    const f = await open(forged);
    assert.deepEqual(f.job, { ok: false, reason: "bad-signature" }, provider.name);
    const m = await open(badMac);
    assert.equal(m.direct?.ok, false);
    assert.equal(m.direct?.ok === false && m.direct.reason, "bad-hmac");
    assert.equal(jobs.poll(), undefined);
  }
});

// What a host signs and verifies outside the base exchange and REA (CLOSE / CLOSE_ACK, FAQ /
// FAA: hip/close.ts, fa/client) also runs as crypto jobs on an asynchronous provider, so a
// browser or Worker host never blocks on @noble for it (it did: ~5 ms of a Worker request).
function runLeaseClose(cryptoJobs: boolean) {
  const sim = new Simulator({ seed: 11, link: { latency: 10 }, trace: "data" });
  const faAt = L("10.0.0.9");
  addFa(sim, "FA", faAt, 3);
  const mk = (addr: Locator, fa?: FaClientOptions) => {
    const rng = sim.forkRng();
    return new HostStack({ host: { identity: HostIdentity.generate(rng), rng, dhGroups: [7], cryptoJobs }, mobility: {}, addresses: [addr], fa });
  };
  const [aAddr, bAddr] = [L("10.0.0.1"), L("10.0.0.2")];
  const a = mk(aAddr, { fas: [{ locator: faAt }] });
  const b = mk(bAddr);
  sim.addNode("A", a, [aAddr]);
  sim.addNode("B", b, [bAddr]);
  sim.at(0, () => a.startFa(sim.now));
  sim.at(100, () => a.connect(sim.now, bAddr, b.hit, aAddr));
  sim.at(600, () => a.close(sim.now, b.hit));
  sim.runUntil(1500);
  const wire = sim.trace.filter((e) => e.kind === "sent").map((e) => (e as { data?: Uint8Array }).data);
  return { a, b, wire };
}

test("FAQ signed, FAA verified, CLOSE and CLOSE_ACK signed and verified by crypto jobs: nothing inline, same datagrams as inline crypto", () => {
  const inline = runLeaseClose(false);
  const jobs = runLeaseClose(true);
  for (const r of [inline, jobs]) {
    assert.ok(r.a.fa?.lease, "A holds a lease");
    assert.equal(r.a.host.counters["rx.CLOSE_ACK"], 1, "A's CLOSE acknowledged");
    assert.equal(r.b.host.counters["rx.CLOSE"], 1);
    assert.equal(r.a.host.association(r.b.hit), undefined, "A's association is gone");
    assert.deepEqual(Object.entries(r.a.host.counters).filter(([k]) => k.startsWith("drop")), []);
    assert.deepEqual(Object.entries(r.b.host.counters).filter(([k]) => k.startsWith("drop")), []);
  }
  // Inline, all public-key work is @noble: A's FAQ, FAA, R1, ECDH, I2, REA, CLOSE, CLOSE_ACK …
  assert.ok(inline.a.host.crypto.inline.noble >= 8, JSON.stringify(inline.a.host.crypto.inline));
  // … with jobs none of it: A signs its FAQ and CLOSE and verifies the FAA and CLOSE_ACK by jobs.
  assert.deepEqual(jobs.a.host.crypto.inline, { native: 0, noble: 0 });
  assert.ok(jobs.a.host.crypto.queuedTotal >= 8, String(jobs.a.host.crypto.queuedTotal));
  // B verifies the CLOSE and signs the CLOSE_ACK by jobs; what stays inline is its R1
  // generation's signature (precomputed once per generation, hip/r1.ts).
  assert.deepEqual(jobs.b.host.crypto.inline, { native: 0, noble: 1 });
  assert.ok(jobs.wire.length > 8);
  assert.deepEqual(jobs.wire, inline.wire);
});
