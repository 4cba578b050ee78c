// Crypto jobs (src/hip/crypto-jobs.ts): the base exchange with its public-key operations run by
// a driver — synchronously with @noble (bit-identical to inline mode), asynchronously with
// WebCrypto (each host its own provider), and the bounds: one job chain per handshake, a cap on
// outstanding jobs, continuations that find their association gone.
import assert from "node:assert/strict";
import { test } from "node:test";
import { nobleProvider } from "../../src/core/crypto/noble.ts";
import type { CryptoProvider } from "../../src/core/crypto/provider.ts";
import { WebCryptoProvider } from "../../src/core/crypto/webcrypto.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { runCryptoJob } from "../../src/hip/crypto-jobs.ts";
import { type CurveName, HostIdentity } from "../../src/hip/identity.ts";
import { eventsOf, Net, type Node } from "./net.ts";

const CURVES: [CurveName, number][] = [
  ["P-256", 7],
  ["P-384", 8],
  ["Ed25519", 7],
];

function pairOf(curve: CurveName, group: number, jobs: boolean, seed = 1): { net: Net; a: Node; b: Node; wire: Uint8Array[] } {
  const net = new Net();
  const wire: Uint8Array[] = [];
  net.filter = (p) => {
    wire.push(p.data);
    return true;
  };
  const cfg = { dhGroups: [group], cryptoJobs: jobs };
  const a = net.add(seed, "192.0.2.1", cfg, HostIdentity.generate(new SeededRng(seed + 10), curve));
  const b = net.add(seed + 1, "192.0.2.2", cfg, HostIdentity.generate(new SeededRng(seed + 11), curve));
  net.syncJobs = jobs;
  return { net, a, b, wire };
}

test("crypto jobs run synchronously with @noble: the same packets, byte for byte, as inline crypto", () => {
  for (const [curve, group] of CURVES) {
    const runs = [false, true].map((jobs) => {
      const r = pairOf(curve, group, jobs);
      r.a.host.connect(r.net.now, r.b.loc, r.b.host.hit, r.a.loc);
      r.net.run(1000);
      assert.equal(eventsOf(r.a, "established").length, 1, `${curve} jobs=${jobs}`);
      return r;
    });
    assert.equal(runs[0].wire.length, 4);
    assert.deepEqual(runs[1].wire, runs[0].wire, `${curve}: I1, R1, I2, R2 identical`);
    assert.deepEqual(eventsOf(runs[1].b, "sa-install")[0].inbound.encKey, eventsOf(runs[0].b, "sa-install")[0].inbound.encKey);
  }
});

/** Deliver packets and run every host's jobs on its provider (awaited) until `done` or 60 rounds. */
async function pump(net: Net, providers: Map<Node, CryptoProvider>, done: () => boolean): Promise<void> {
  for (let i = 0; i < 60 && !done(); i++) {
    net.run(net.now + 10);
    for (const [n, p] of providers) {
      const running = [];
      for (let j = n.host.pollCryptoJob(); j; j = n.host.pollCryptoJob()) {
        const job = j;
        running.push(Promise.resolve(runCryptoJob(p, job)).then((r) => n.host.handleCryptoResult(net.now, job.id, r)));
      }
      await Promise.all(running);
    }
  }
}

test("crypto jobs on WebCrypto (async), node:crypto and @noble, mixed: ESTABLISHED, matching keys", async () => {
  const web = await WebCryptoProvider.create();
  assert.ok(web);
  const node = (await import("../../src/runtime/crypto-node.ts")).nodeCryptoProvider();
  for (const [curve, group] of CURVES) {
    const combos: [CryptoProvider, CryptoProvider][] = [
      [web, web],
      [web, nobleProvider],
      [nobleProvider, web],
      [node, web],
      [nobleProvider, node],
    ];
    for (const [pa, pb] of combos) {
      const { net, a, b } = pairOf(curve, group, true, 5);
      net.syncJobs = false;
      a.host.connect(net.now, b.loc, b.host.hit, a.loc);
      await pump(net, new Map([[a, pa], [b, pb]]), () => eventsOf(a, "established").length > 0);
      const tag: string = `${curve} ${pa.name}→${pb.name}`;
      assert.equal(eventsOf(a, "established").length, 1, tag);
      const sa = eventsOf(a, "sa-install")[0];
      const sb = eventsOf(b, "sa-install")[0];
      assert.deepEqual(sa.outbound.encKey, sb.inbound.encKey, tag);
      assert.deepEqual(sb.outbound.authKey, sa.inbound.authKey, tag);
      assert.equal((a.host.counters.drop ?? 0) + (b.host.counters.drop ?? 0), 0, tag);
      assert.equal(a.host.crypto.outstanding + b.host.crypto.outstanding, 0);
    }
  }
});

test("crypto jobs: a retransmitted I2 while its jobs run waits; maxCryptoJobs bounds the outstanding work", () => {
  const net = new Net();
  const b = net.add(2, "192.0.2.2", { cryptoJobs: true, maxCryptoJobs: 1, dhGroups: [7], retransmit: { initialMs: 30 } });
  const a = net.add(1, "192.0.2.1", { dhGroups: [7], retransmit: { initialMs: 30 } });
  const c = net.add(3, "192.0.2.3", { dhGroups: [7], retransmit: { initialMs: 30 } });
  a.host.connect(net.now, b.loc, b.host.hit, a.loc);
  c.host.connect(net.now, b.loc, b.host.hit, c.loc);
  net.run(25); // I1s, R1s (precomputed: no job), I2s arrive at B: one job starts, one refused
  assert.equal(b.host.crypto.outstanding, 1);
  assert.equal(b.host.counters["drop.crypto_busy"], 1);
  net.run(50); // both Initiators retransmit their I2: the one in the pipeline waits
  assert.equal(b.host.counters["drop.crypto_pending"], 1);
  net.syncJobs = true;
  net.run(1000);
  assert.equal(eventsOf(a, "established").length, 1);
  assert.equal(eventsOf(c, "established").length, 1);
  assert.equal(b.host.crypto.outstanding, 0);
});

test("crypto jobs: a continuation whose association is gone does nothing (crypto.stale)", () => {
  const net = new Net();
  const a = net.add(1, "192.0.2.1", { cryptoJobs: true, dhGroups: [7] });
  const b = net.add(2, "192.0.2.2", { dhGroups: [7] });
  a.host.connect(net.now, b.loc, b.host.hit, a.loc);
  net.run(12); // R1 arrived: its signature verification is a job now
  const job = a.host.pollCryptoJob();
  assert.equal(job?.op, "verify");
  a.host.close(net.now, b.host.hit);
  const assoc = a.host.association(b.host.hit);
  if (assoc) a.host.removeAssociation(assoc);
  a.host.handleCryptoResult(net.now, job.id, runCryptoJob(nobleProvider, job) as boolean);
  assert.equal(a.host.counters["crypto.stale"], 1);
  assert.equal(a.host.pollCryptoJob(), undefined, "no further job");
  assert.equal(a.host.counters["tx.I2"] ?? 0, 0);
  a.host.handleCryptoResult(net.now, job.id, true); // a second result for the same id is ignored
  assert.equal(a.host.counters["crypto.stale"], 1);
});
