import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import type { Millis, Transmit } from "../../src/core/types.ts";
import { EventHeap } from "../../src/sim/heap.ts";
import { Simulator } from "../../src/sim/simulator.ts";
import { countKinds, formatTrace, traceFingerprint } from "../../src/sim/trace.ts";
import type { LinkParams, SimEndpoint } from "../../src/sim/types.ts";
import { Echo, Pinger, Sink } from "./endpoints.ts";

const A = { ip: "10.0.0.1", port: 10500 };
const B = { ip: "10.0.0.2", port: 10500 };
const B2 = { ip: "2001:db8::2", port: 10500 };

function pingEcho(seed: number, link: Partial<LinkParams>, count = 200) {
  const sim = new Simulator({ seed, link });
  const p = new Pinger(B, count, 1);
  sim.addNode("a", p, [A]);
  sim.addNode("b", new Echo(), [B]);
  const r = sim.runUntilIdle(100_000);
  return { sim, p, r };
}

test("event heap pops by time, ties in insertion order", () => {
  const h = new EventHeap<{ time: number; seq: number; tag: number }>();
  const rng = new SeededRng(1);
  const items = Array.from({ length: 500 }, (_, i) => ({ time: rng.nextU32() % 20, seq: i, tag: i }));
  for (const it of items) h.push(it);
  const out: number[] = [];
  for (let it = h.pop(); it; it = h.pop()) out.push(it.tag);
  const want = [...items].sort((x, y) => x.time - y.time || x.seq - y.seq).map((x) => x.tag);
  assert.deepEqual(out, want);
});

test("same seed gives an identical trace, another seed a different one", () => {
  const link = { latency: 5, jitter: 3, loss: 0.1, reorder: 0.1, duplicate: 0.05 };
  const t1 = traceFingerprint(pingEcho(42, link).sim.trace);
  const t2 = traceFingerprint(pingEcho(42, link).sim.trace);
  const t3 = traceFingerprint(pingEcho(43, link).sim.trace);
  assert.equal(t1, t2);
  assert.notEqual(t1, t3);
  // Also the full event list, not just the hash.
  assert.deepEqual(pingEcho(7, link).sim.trace, pingEcho(7, link).sim.trace);
});

test("fixed latency, no impairments: every datagram delivered after exactly the latency", () => {
  const { sim, p, r } = pingEcho(1, { latency: 7 }, 50);
  assert.equal(r.reason, "idle");
  assert.equal(p.got.length, 50);
  for (const [t, seq] of p.got) assert.equal(t, seq * 1 + 14);
  assert.deepEqual(countKinds(sim.trace), { sent: 100, delivered: 100, lost: 0, duplicated: 0, "dropped-no-address": 0, "dropped-queue": 0 });
  assert.match(formatTrace(sim.trace.slice(0, 1)), /0\.000 ms {2}-> 10\.0\.0\.1:10500 > 10\.0\.0\.2:10500 {2}100 B/);
});

test("loss, duplication and reordering rates stay within bounds for a fixed seed", () => {
  const n = 20_000;
  const sim = new Simulator({ seed: 9, link: { latency: 10, jitter: 2, loss: 0.1, duplicate: 0.05, reorder: 0.1, reorderDelay: 5 } });
  const sink = new Sink();
  sim.addNode("a", new Pinger(B, n, 1), [A]);
  sim.addNode("b", sink, [B]);
  sim.runUntilIdle(1e9);
  const lossRate = sim.stats.lost / n;
  const dupRate = sim.stats.duplicated / (n - sim.stats.lost);
  assert.ok(lossRate > 0.09 && lossRate < 0.11, `loss ${lossRate}`);
  assert.ok(dupRate > 0.04 && dupRate < 0.06, `dup ${dupRate}`);
  assert.equal(sink.seqs.length, n - sim.stats.lost + sim.stats.duplicated);
  // A datagram arriving after a higher-numbered one was reordered.
  let maxSeen = -1;
  let late = 0;
  for (const s of sink.seqs) {
    if (s < maxSeen) late++;
    maxSeen = Math.max(maxSeen, s);
  }
  const lateRate = late / sink.seqs.length;
  assert.ok(lateRate > 0.07 && lateRate < 0.14, `late ${lateRate}`);
});

test("jitter alone keeps FIFO order; reorder makes later datagrams overtake", () => {
  const run = (reorder: number) => {
    const sim = new Simulator({ seed: 3, link: { latency: 10, jitter: 8, reorder } });
    const sink = new Sink();
    sim.addNode("a", new Pinger(B, 300, 0.5), [A]);
    sim.addNode("b", sink, [B]);
    sim.runUntilIdle(1e6);
    return sink.seqs;
  };
  const fifo = run(0);
  assert.deepEqual(fifo, [...fifo].sort((x, y) => x - y));
  const mixed = run(0.2);
  assert.notDeepEqual(mixed, [...mixed].sort((x, y) => x - y));
  assert.equal(mixed.length, 300);
});

test("bandwidth serializes datagrams and a small queue tail-drops", () => {
  const sim = new Simulator({ seed: 1, link: { latency: 1, bandwidth: 100_000 } });
  const sink = new Sink();
  sim.addNode("a", new Pinger(B, 5, 0, 0, 1000), [A]); // a burst of 5 × 1000 B at t=0
  sim.addNode("b", sink, [B]);
  sim.runUntilIdle(1000);
  assert.deepEqual(sink.times, [11, 21, 31, 41, 51]);
  const sim2 = new Simulator({ seed: 1, link: { latency: 1, bandwidth: 100_000, queueBytes: 3000 } });
  const sink2 = new Sink();
  sim2.addNode("a", new Pinger(B, 5, 0, 0, 1000), [A]);
  sim2.addNode("b", sink2, [B]);
  sim2.runUntilIdle(1000);
  assert.equal(sink2.seqs.length, 3);
  assert.equal(sim2.stats.droppedQueue, 2);
});

test("partition loses datagrams until healed; per-address paths override node defaults", () => {
  const sim = new Simulator({ seed: 5, link: { latency: 2 } });
  const sink = new Sink();
  sim.addNode("a", new Pinger(B, 30, 1), [A]);
  sim.addNode("b", sink, [B, B2]);
  sim.at(10, () => sim.partition("a", "b"));
  sim.at(20, () => sim.heal("a", "b"));
  sim.runUntilIdle(1000);
  assert.equal(sim.stats.partitioned, 10);
  assert.equal(sink.seqs.length, 20);
  assert.ok(sim.trace.filter((e) => e.reason === "partition").every((e) => e.t >= 10 && e.t < 20));

  const sim2 = new Simulator({ seed: 5, link: { latency: 2 } });
  const sink2 = new Sink();
  sim2.addNode("a", new Pinger(B, 4, 1), [A]);
  sim2.addNode("b", sink2, [B]);
  sim2.setPath(A, B, { latency: 50 });
  sim2.partition("b"); // isolate b from everyone
  sim2.at(1.5, () => sim2.healAll());
  sim2.runUntilIdle(1000);
  assert.deepEqual(sink2.times, [52, 53]);
});

test("address removal drops in-flight and later datagrams; renumbering moves delivery", () => {
  const sim = new Simulator({ seed: 2, link: { latency: 5 } });
  const sink = new Sink();
  sim.addNode("a", new Pinger(B, 20, 1), [A]);
  sim.addNode("b", sink, [B]);
  sim.at(9.5, () => sim.removeAddress("b", B)); // datagrams sent at 5..9 are in flight
  sim.runUntilIdle(1000);
  assert.equal(sink.seqs.length, 5); // sent at t=0..4 arrived by t=9
  assert.equal(sim.stats.droppedNoAddress, 15);
  const sentAt = new Map(sim.trace.filter((e) => e.kind === "sent").map((e) => [e.id, e.t]));
  const drops = sim.trace.filter((e) => e.kind === "dropped-no-address");
  assert.equal(drops.filter((e) => sentAt.get(e.id)! < 9.5).length, 5); // were in flight
  assert.ok(drops.every((e) => e.t >= 10));

  const sim2 = new Simulator({ seed: 2, link: { latency: 1 } });
  const p = new Pinger(B, 10, 1, 0, 100, A);
  sim2.addNode("a", p, [A]);
  sim2.addNode("b", new Echo(), [B]);
  const A2 = { ip: "10.9.9.9", port: 10500 };
  sim2.at(4.5, () => sim2.renumber("a", A, A2));
  sim2.runUntilIdle(1000);
  assert.deepEqual(p.addressChanges, [{ added: [A2], removed: [A] }]);
  assert.deepEqual(sim2.addresses("a"), [A2]);
  assert.equal(sim2.ownerOf(A), undefined);
  // Pings 0..4 went out from A and came back; 5..9 still name A as source: dropped at the sender.
  // Echoes of pings 0..2 arrive by t=4; those of 3 and 4 (due at 5 and 6) hit the removed A.
  assert.equal(p.got.length, 3);
  assert.equal(sim2.trace.filter((e) => e.reason === "no-source").length, 5);
});

test("runs are bounded: a timer storm hits the event limit, runUntilTrue stops early", () => {
  const storm: SimEndpoint = {
    handleDatagram() {},
    handleTimeout() {},
    pollTransmit: () => undefined,
    pollTimeout: () => 0, // never advances: would spin forever
  };
  const sim = new Simulator({ seed: 1 });
  sim.addNode("s", storm, [A]);
  const r = sim.runUntil(10, 1000);
  assert.equal(r.reason, "limit");
  assert.equal(r.events, 1000);

  const { sim: s2, p } = pingEcho(1, { latency: 1 }, 0);
  assert.equal(p.sent, 0);
  assert.equal(s2.runUntilIdle(1e9).reason, "idle");

  const sim3 = new Simulator({ seed: 1, link: { latency: 1 } });
  const p3 = new Pinger(B, 1000, 1);
  sim3.addNode("a", p3, [A]);
  sim3.addNode("b", new Echo(), [B]);
  const r3 = sim3.runUntilTrue(() => p3.got.length >= 10, 1e9);
  assert.equal(r3.reason, "done");
  assert.equal(p3.got.length, 10);
  const r4 = sim3.runUntil(50);
  assert.equal(r4.reason, "time");
  assert.equal(sim3.now, 50);
});

test("timer re-arming: stale timers never fire, scripted actions drain endpoints", () => {
  const fired: Millis[] = [];
  let deadline: Millis | undefined = 100;
  const out: Transmit[] = [];
  const ep: SimEndpoint = {
    handleDatagram() {},
    handleTimeout(now) {
      fired.push(now);
      deadline = undefined;
    },
    pollTransmit: () => out.shift(),
    pollTimeout: () => deadline,
  };
  const sim = new Simulator({ seed: 1, link: { latency: 3 } });
  const sink = new Sink();
  sim.addNode("e", ep, [A]);
  sim.addNode("b", sink, [B]);
  sim.at(10, () => {
    deadline = 40; // moved earlier: the t=100 timer is stale
    out.push({ to: B, data: new Uint8Array(4) });
  });
  sim.runUntilIdle(1000);
  assert.deepEqual(fired, [40]);
  assert.deepEqual(sink.times, [13]);
  assert.equal(sim.nodeStats("e").timeouts, 1);
});

test("injected datagrams, duplicates get separate buffers, IPv6 source picked for IPv6 peers", () => {
  const sim = new Simulator({ seed: 11, link: { latency: 1, duplicate: 1 } });
  const bufs: Uint8Array[] = [];
  const ep: SimEndpoint = {
    handleDatagram(_n, d) {
      bufs.push(d);
    },
    handleTimeout() {},
    pollTransmit: () => undefined,
    pollTimeout: () => undefined,
  };
  sim.addNode("b", ep, [B, B2]);
  sim.inject({ ip: "192.0.2.66", port: 1 }, B, new Uint8Array([1, 2, 3]));
  sim.runUntilIdle(100);
  assert.equal(bufs.length, 2);
  bufs[0][0] = 9;
  assert.equal(bufs[1][0], 1);

  const sim2 = new Simulator({ seed: 1 });
  const sink = new Sink();
  const p = new Pinger({ ip: "2001:db8::9", port: 10500 }, 1, 1);
  sim2.addNode("a", p, [A, { ip: "2001:db8::1", port: 10500 }]);
  sim2.addNode("z", sink, [{ ip: "2001:db8::9", port: 10500 }]);
  sim2.runUntilIdle(100);
  assert.equal(sim2.trace[0].from.ip, "2001:db8::1");
});
