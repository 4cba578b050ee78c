import assert from "node:assert/strict";
import { test } from "node:test";
import { HIP_DEFAULTS } from "../../src/hip/types.ts";
import { describeDatagram } from "../../src/sim/describe.ts";
import { traceFingerprint } from "../../src/sim/trace.ts";
import { LOC_A, LOC_B, simPair } from "./sim-pair.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const IMPAIRED = { latency: 20, jitter: 5, loss: 0.1, reorder: 0.1, duplicate: 0.1 };
const MAX_TRIES = HIP_DEFAULTS.retransmit.maxTries;

function controlTx(counters: Record<string, number>, ...types: string[]): number {
  return types.reduce((n, t) => n + (counters[`tx.${t}`] ?? 0), 0);
}

test("base exchange converges under 10% loss, reordering and duplication (20 seeds)", () => {
  let retransmits = 0;
  let lost = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const { sim, a, b } = simPair(seed, IMPAIRED, { puzzleK: 4 });
    sim.at(0, () => a.stack.connect(sim.now, LOC_B, b.stack.hit, LOC_A));
    const r = sim.runUntilTrue(() => a.has("established") && b.has("sa-install"), 120_000, 50_000);
    assert.equal(r.reason, "done", `seed ${seed}: ${JSON.stringify(a.stack.host.counters)} / ${JSON.stringify(b.stack.host.counters)}`);
    assert.ok(!a.has("failed") && !b.has("failed"), `seed ${seed}`);
    // Retransmission bound (RFC 7401 §6.6): at most maxTries I1s and maxTries I2s ...
    const ac = a.stack.host.counters;
    assert.ok(controlTx(ac, "I1") <= MAX_TRIES && controlTx(ac, "I2") <= MAX_TRIES, `seed ${seed}: ${JSON.stringify(ac)}`);
    // ... and the Responder only ever answers: no more R1/R2 than I1/I2 datagrams it received.
    const bc = b.stack.host.counters;
    const bReceived = sim.nodeStats("b").received;
    assert.ok(controlTx(bc, "R1", "R2") <= bReceived, `seed ${seed}: ${JSON.stringify(bc)}`);
    assert.equal(sim.stats.sent, sim.nodeStats("a").sent + sim.nodeStats("b").sent);

    // Data both ways: whatever arrives is intact and at most once (ESP anti-replay drops the
    // network's duplicates, RFC 4303 §3.4.3).
    const n = 20;
    for (let i = 0; i < n; i++) {
      sim.at(sim.now + 10 + i, () => {
        assert.equal(a.stack.send(b.stack.hit, 5000, 7, new TextEncoder().encode(`a->b ${i}`)), "sent");
        assert.equal(b.stack.send(a.stack.hit, 7, 5000, new TextEncoder().encode(`b->a ${i}`)), "sent");
      });
    }
    sim.runUntil(sim.now + 1000);
    for (const [host, dir] of [[b, "a->b"], [a, "b->a"]] as const) {
      const got = host.messages();
      assert.ok(got.length >= n * 0.6 && got.length <= n, `seed ${seed} ${dir}: ${got.length}`);
      assert.equal(new Set(got).size, got.length, `seed ${seed}: duplicate delivered`);
      for (const m of got) assert.match(m, new RegExp(`^${dir} \\d+$`));
    }
    assert.ok(b.has("established"), `seed ${seed}: responder never left R2-SENT`);
    const msg = b.events.find((e) => e.type === "message");
    assert.ok(msg && msg.type === "message" && msg.srcPort === 5000 && msg.dstPort === 7);
    retransmits += a.stack.host.counters.retransmit ?? 0;
    lost += sim.stats.lost;
  }
  // The impairments really hit the exchange (not just the data).
  assert.ok(retransmits >= 3 && lost >= 50, `retransmits ${retransmits}, lost ${lost}`);
});

test("a clean path takes exactly I1, R1, I2, R2 and the run is reproducible", () => {
  const run = () => {
    const { sim, a, b } = simPair(77, { latency: 15 }, { puzzleK: 4 }, "data");
    sim.at(0, () => a.stack.connect(sim.now, LOC_B, b.stack.hit, LOC_A));
    sim.at(100, () => a.stack.send(b.stack.hit, 1, 2, new TextEncoder().encode("ping")));
    sim.runUntil(1000);
    return { sim, a, b };
  };
  const { sim, a, b } = run();
  const sent = sim.trace.filter((e) => e.kind === "sent").map((e) => describeDatagram(e.data!).split(" ")[0]);
  assert.deepEqual(sent, ["I1", "R1", "I2", "R2", "ESP"]);
  assert.equal(a.events.find((e) => e.type === "established")?.type, "established");
  assert.deepEqual(b.messages(), ["ping"]);
  // Established at the Initiator after 2 RTT (60 ms of path delay).
  assert.equal(sim.trace.filter((e) => e.kind === "delivered")[3].t, 60);
  assert.equal(traceFingerprint(run().sim.trace), traceFingerprint(sim.trace));
});

test("unreachable responder: the initiator gives up after maxTries I1s", () => {
  const { sim, a, b } = simPair(5, { latency: 10 }, { retransmit: { initialMs: 100, maxTries: 4, maxMs: 400 } });
  sim.partition("a", "b");
  sim.at(0, () => a.stack.connect(sim.now, LOC_B, b.stack.hit, LOC_A));
  const r = sim.runUntilIdle(60_000);
  assert.equal(r.reason, "idle");
  assert.equal(a.stack.host.counters["tx.I1"], 4);
  assert.equal(sim.stats.partitioned, 4);
  assert.ok(a.has("failed"));
  // Backoff 100, 200, 400 (capped): the fourth try at t=700, failure one timeout later.
  assert.deepEqual(sim.trace.filter((e) => e.kind === "lost").map((e) => e.t), [0, 100, 300, 700]);
  assert.equal(a.stack.send(b.stack.hit, 1, 2, new Uint8Array(1)), "no-association");
});

test("datagrams sent while the exchange runs are queued and flushed on sa-install", () => {
  const { sim, a, b } = simPair(9, { latency: 5 }, { puzzleK: 2 });
  sim.at(0, () => {
    a.stack.connect(sim.now, LOC_B, b.stack.hit, LOC_A);
    assert.equal(a.stack.send(b.stack.hit, 1, 2, new TextEncoder().encode("early")), "queued");
  });
  sim.runUntil(1000);
  assert.deepEqual(b.messages(), ["early"]);
  assert.equal(b.stack.counters["esp.rx"], 1);
});

test("tampered, replayed and unknown-SPI ESP is dropped and counted, never delivered", () => {
  const { sim, a, b } = simPair(13, { latency: 5 }, { puzzleK: 2 }, "data");
  sim.at(0, () => a.stack.connect(sim.now, LOC_B, b.stack.hit, LOC_A));
  sim.at(100, () => a.stack.send(b.stack.hit, 1, 2, new TextEncoder().encode("genuine")));
  sim.runUntil(200);
  assert.deepEqual(b.messages(), ["genuine"]);
  const esp = sim.trace.find((e) => e.kind === "sent" && e.data![0] !== 0)!.data!;
  const tampered = esp.slice();
  tampered[7] = 2; // a fresh sequence number (so not a replay), but the ICV no longer matches
  const unknown = esp.slice();
  unknown[0] ^= 0xff;
  sim.at(300, () => {
    sim.inject(LOC_A, LOC_B, tampered);
    sim.inject(LOC_A, LOC_B, esp); // replay (RFC 4303 §3.4.3)
    sim.inject(LOC_A, LOC_B, unknown);
    sim.inject(LOC_A, LOC_B, new Uint8Array([0xff])); // NAT keepalive
  });
  sim.runUntil(400);
  assert.deepEqual(b.messages(), ["genuine"]);
  const c = b.stack.counters;
  assert.deepEqual([c["esp.drop.auth-failed"], c["esp.drop.replay"], c["esp.drop.unknown-spi"], c["rx.keepalive"]], [1, 1, 1, 1]);
  assert.equal(b.events.filter((e) => e.type === "esp-drop").length, 3);
});
