// dataPlane "worker-io": the ESP Worker owns the UDP sockets (src/runtime/worker-io.ts and
// io-worker-node.ts). Real loopback UDP; what the Worker opened and sent itself is checked through
// its counters, and everything it cannot handle alone (HIP control, unknown SPIs) still works.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { MessageEvent, RuntimeHost } from "../../src/runtime/host.ts";
import { startMobileNode } from "../../src/runtime/mobility-node.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { collect } from "../helpers/messages.ts";
import { WorkerUdpSocket } from "../../src/runtime/worker-io.ts";
import { bindNodeUdp } from "../../src/transport/udp-node.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();


const isEsp = (d: Uint8Array) => d.length > 8 && (d[0] | d[1] | d[2] | d[3]) !== 0;
const drops = (h: RuntimeHost) => Object.entries(h.stack.counters).filter(([k]) => k.startsWith("esp.drop") || k.startsWith("esp.seal"));
const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

test("worker-io: two Node hosts whose Workers receive, open, seal and send; data in order both ways", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(81);
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker-io" });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker-io" });
  try {
    assert.ok(a.workerIo && b.workerIo && a.espWorker);
    assert.ok(a.driver.sockets.socketFor(b.locals[0]) instanceof WorkerUdpSocket, "the host's socket is the Worker's");
    const up = a.connect(b.locals[0], b.hit, { timeoutMs: 5000 });
    const early = collect(b, 1);
    assert.equal(a.send(b.hit, 10, 20, enc.encode("early")), "queued");
    await up;
    assert.equal(dec.decode((await early)[0].data), "early");
    const many = collect(b, 64);
    for (let i = 0; i < 64; i++) assert.equal(a.send(b.hit, 10, 20, enc.encode(`m${i}`)), "sent");
    const got = await many;
    assert.deepEqual(got.map((m) => dec.decode(m.data)), Array.from({ length: 64 }, (_, i) => `m${i}`));
    assert.equal(got[0].from.ip, "127.0.0.1");
    assert.equal(got[0].from.port, a.locals[0].port, "the outer source is A's socket: sent from the Worker's bound socket");
    const back = collect(a, 3);
    for (const s of ["x", "y", "z"]) b.send(a.hit, 20, 10, enc.encode(s));
    const bm = await back;
    assert.deepEqual(bm.map((m) => [dec.decode(m.data), m.srcPort, m.dstPort]), [["x", 20, 10], ["y", 20, 10], ["z", 20, 10]]);
    assert.equal(hitToString(bm[0].peerHit), hitToString(b.hit));
    assert.deepEqual(drops(a), []);
    assert.deepEqual(drops(b), []);
    assert.equal(a.stack.counters["esp.tx"], 65);
    assert.equal(b.stack.counters["esp.rx"], 65);
    // The fast path carried the data: opened in B's Worker, never raw through this thread.
    assert.ok(b.workerIo.stats.opened >= 64, JSON.stringify(b.workerIo.stats));
    assert.ok(a.workerIo.stats.opened >= 3);
    assert.ok(b.workerIo.stats.raw >= 1, "HIP control came up raw");
    assert.ok(a.driver.transmitted >= 65, "the Worker's sends count as the host's transmits");
    assert.equal(a.stats().worker?.io && typeof a.stats().worker?.io, "object");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("worker-io: tampered, replayed and unknown-SPI ESP is dropped and counted, nothing delivered", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(82);
  const espOut: Uint8Array[] = [];
  // A (tapped) sends from this thread, so the test sees its ESP; B's Worker receives.
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker-io", tap: (dir, _t, d) => dir === "out" && isEsp(d) && espOut.push(d.slice()) });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker-io" });
  try {
    await a.connect(b.locals[0], b.hit, { timeoutMs: 5000 });
    const ok = collect(b, 8);
    for (let i = 0; i < 8; i++) a.send(b.hit, 1, 2, enc.encode(`ok${i}`));
    await ok;
    assert.equal(espOut.length, 8, "with a tap every packet passes this thread (Worker fast path off)");
    assert.equal(a.workerIo?.stats.opened, 0);
    const raw = await bindNodeUdp("127.0.0.1", 0);
    const events: string[] = [];
    b.on("event", (e) => e.type === "esp-drop" && events.push(e.reason));
    const delivered: string[] = [];
    b.on("message", (m) => delivered.push(dec.decode(m.data)));
    const tampered = espOut[5].slice();
    new DataView(tampered.buffer).setUint32(4, 1000); // a fresh sequence number, so auth fails (RFC 4303 §3.4.3)
    const unknown = espOut[6].slice();
    new DataView(unknown.buffer).setUint32(0, 0x0badf00d);
    raw.send({ to: b.locals[0], data: tampered });
    raw.send({ to: b.locals[0], data: espOut[6] });
    raw.send({ to: b.locals[0], data: unknown });
    await until(() => events.length >= 3);
    await raw.close();
    assert.deepEqual(events.sort(), ["auth-failed", "replay", "unknown-spi"]);
    assert.equal(b.stack.counters["esp.drop.auth-failed"], 1);
    assert.equal(b.stack.counters["esp.drop.replay"], 1);
    assert.equal(b.stack.counters["esp.drop.unknown-spi"], 1);
    assert.deepEqual(delivered, []);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("worker-io host ↔ in-process host over IPv6: same wire format, echo both ways", { timeout: 15_000 }, async () => {
  const rng = new SeededRng(83);
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["[::1]:0"], hip: { puzzleK: 2 }, dataPlane: "worker-io" });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["[::1]:0"], hip: { puzzleK: 2 } });
  try {
    await b.connect(a.locals[0], a.hit, { timeoutMs: 5000 });
    b.on("message", (m) => b.send(m.peerHit, m.dstPort, m.srcPort, m.data));
    const replies = collect(a, 20);
    for (let i = 0; i < 20; i++) a.send(b.hit, 7, 8, enc.encode(`echo ${i}`));
    assert.deepEqual((await replies).map((m) => dec.decode(m.data)), Array.from({ length: 20 }, (_, i) => `echo ${i}`));
    assert.equal((await replies)[0].from.ip, "::1");
    assert.deepEqual(drops(a), []);
    assert.ok((a.workerIo?.stats.opened ?? 0) >= 20);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("worker-io: peers on three source IPs, the Worker's IP table bounded at 2 by limits.workerIoPeerIps (starts over, announced in order); each message keeps its own source", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(84);
  const hub = await startNodeHost({
    identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2, limits: { workerIoPeerIps: 2 } }, dataPlane: "worker-io",
  });
  const ips = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
  const peers = await Promise.all(ips.map((ip) => startNodeHost({ identity: HostIdentity.generate(rng), listen: [`${ip}:0`], hip: { puzzleK: 2 } })));
  try {
    assert.ok(hub.workerIo);
    for (const p of peers) await p.connect(hub.locals[0], hub.hit, { timeoutMs: 5000 });
    const byHit = new Map(peers.map((p, i) => [hitToString(p.hit), ips[i]]));
    const n = 60;
    const got = collect(hub, n * peers.length);
    // Interleaved, so most batches name all three IPs and the table (2 entries) starts over again and again.
    for (let i = 0; i < n; i++) for (const p of peers) p.send(hub.hit, 5, 6, enc.encode(`${i}`));
    const msgs = await got;
    for (const m of msgs) assert.equal(m.from.ip, byHit.get(hitToString(m.peerHit)), "the source IP is the sending peer's");
    for (const p of peers) {
      const mine = msgs.filter((m) => hitToString(m.peerHit) === hitToString(p.hit)).map((m) => dec.decode(m.data));
      assert.deepEqual(mine, Array.from({ length: n }, (_, i) => `${i}`));
    }
    assert.ok(hub.workerIo.stats.opened >= n * peers.length, "opened in the Worker");
    assert.ok(hub.workerIo.stats.ipTableResets > 0, "the table started over");
    assert.deepEqual(drops(hub), []);
  } finally {
    await Promise.all([hub.close(), ...peers.map((p) => p.close())]);
  }
});

test("worker-io: more destinations than limits.workerIoDests (2): the tables start over and sealed packets keep leaving from the Worker, in order", { timeout: 20_000 }, async () => {
  // The table used to stop naming destinations once full (65,536 by default): from then on, every
  // sealed packet to a new peer locator went back to the main thread, one message per packet,
  // for the rest of the host's life.
  const rng = new SeededRng(85);
  const hub = await startNodeHost({
    identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2, limits: { workerIoDests: 2 } }, dataPlane: "worker-io",
  });
  const peers = await Promise.all([0, 1, 2].map(() => startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 } })));
  try {
    assert.ok(hub.workerIo);
    for (const p of peers) await p.connect(hub.locals[0], hub.hit, { timeoutMs: 5000 });
    const tx0 = hub.workerIo.stats.txFromMain;
    // Three destinations in turn, 20 packets each: every change of destination past the second
    // starts the tables over.
    const n = 20;
    for (let round = 0; round < 3; round++) {
      for (const p of peers) {
        const got = collect(p, n);
        for (let i = 0; i < n; i++) hub.send(p.hit, 5, 6, enc.encode(`${round} ${i}`));
        assert.deepEqual((await got).map((m) => dec.decode(m.data)), Array.from({ length: n }, (_, i) => `${round} ${i}`));
      }
    }
    assert.ok(hub.workerIo.stats.destResets >= 3, `the tables started over: ${hub.workerIo.stats.destResets}`);
    const back = hub.workerIo.stats.txFromMain - tx0;
    // The Worker keeps the table before the last reset for the batches already in the ring.
    assert.equal(back, 0, `sealed packets sent from the main thread: ${back} of ${9 * n}`);
    assert.deepEqual(drops(hub), []);
  } finally {
    await Promise.all([hub.close(), ...peers.map((p) => p.close())]);
  }
});

test("worker-io: a full seal queue refuses sends, then 'drain' lets the sender go on; all delivered", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(84);
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2, limits: { maxEspQueue: 32 } }, dataPlane: "worker-io" });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker-io" });
  try {
    await a.connect(b.locals[0], b.hit, { timeoutMs: 5000 });
    const total = 200;
    const all = collect(b, total, 10_000);
    let next = 0;
    let refused = 0;
    let drains = 0;
    const pump = (): void => {
      while (next < total) {
        if (a.send(b.hit, 1, 2, enc.encode(`p${next}`)) === "seal-failed") {
          refused++;
          return; // wait for "drain"
        }
        next++;
      }
    };
    a.on("drain", () => {
      drains++;
      pump();
    });
    pump();
    const got = await all;
    assert.deepEqual(got.map((m) => dec.decode(m.data)), Array.from({ length: total }, (_, i) => `p${i}`));
    assert.ok(refused >= 1 && drains >= 1, `refused ${refused}, drains ${drains}`);
    assert.equal(a.stack.counters["esp.drop.seal.queue-full"], refused);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("worker-io: while this thread is busy the Worker fills its batch pool, then a bounded backlog; nothing lost", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(87);
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker-io" });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 } });
  try {
    await b.connect(a.locals[0], a.hit, { timeoutMs: 5000 });
    const total = 1500;
    const all = collect(a, total, 10_000);
    // B (in-process) seals and sends synchronously: all of it is in A's Worker's socket at once.
    for (let i = 0; i < total; i++) b.send(a.hit, 1, 2, enc.encode(`q${i}`));
    const end = Date.now() + 300;
    while (Date.now() < end); // this thread is busy: opened batches pile up in the Worker
    const got = await all;
    assert.deepEqual(got.map((m) => dec.decode(m.data)), Array.from({ length: total }, (_, i) => `q${i}`));
    assert.deepEqual(a.workerIo?.stats.drops, {});
    assert.ok((a.workerIo?.stats.openedBatches ?? 0) > 16, "more batches than the pool holds went through");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("worker-io: limits.workerIoBacklog bounds what the Worker keeps for a busy thread: the rest is dropped before any crypto, counted, the delivered part in order", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(88);
  const backlog = 20;
  const a = await startNodeHost({
    identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2, limits: { workerIoBacklog: backlog } }, dataPlane: "worker-io",
  });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 } });
  try {
    await b.connect(a.locals[0], a.hit, { timeoutMs: 5000 });
    const got: string[] = [];
    a.on("message", (m) => got.push(dec.decode(m.data)));
    const total = 3000;
    for (let i = 0; i < total; i++) b.send(a.hit, 1, 2, enc.encode(`q${i}`));
    const end = Date.now() + 400;
    while (Date.now() < end); // busy: the 16 pool batches fill, then the backlog, then drops
    const dropped = () => a.workerIo?.stats.drops["rx-backlog"] ?? 0;
    await until(() => dropped() > 0 && got.length + dropped() >= total - 300, 5000);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(dropped() > 0, "the Worker dropped past its backlog");
    assert.ok(got.length < total && got.length > 0);
    // What arrived did so in order; what the Worker kept is at most its pool (16 x 64) and its backlog.
    const idx = got.map((s) => Number(s.slice(1)));
    for (let i = 1; i < idx.length; i++) assert.ok(idx[i] > idx[i - 1]);
    assert.ok((a.workerIo?.stats.openedBatches ?? 0) > 0);
    assert.equal(a.stats().drops["worker.rx-backlog"], dropped(), "host.stats() names the drop");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("worker-io: limits.workerIoRaw bounds the raw datagrams (unknown SPI, HIP control) in flight to a busy thread; past it they are dropped and counted", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(89);
  const a = await startNodeHost({
    identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2, limits: { workerIoRaw: 8 } }, dataPlane: "worker-io",
  });
  const s = await bindNodeUdp("127.0.0.1", 0);
  try {
    const junk = new Uint8Array(64).fill(0xab); // SPI 0xabababab: none of ours, so it crosses raw
    for (let i = 0; i < 400; i++) s.send({ to: a.locals[0], data: junk });
    const end = Date.now() + 300;
    while (Date.now() < end); // busy: at most 8 raw datagrams may wait for this thread
    const dropped = () => a.workerIo?.stats.drops["rx-backlog"] ?? 0;
    await until(() => dropped() > 0 && (a.workerIo?.stats.raw ?? 0) + dropped() >= 300, 5000);
    assert.ok(dropped() > 0, "dropped in the Worker");
    assert.ok((a.workerIo?.stats.raw ?? 0) > 0, "some crossed raw");
    assert.equal(a.stats().drops["worker.rx-backlog"], dropped());
    assert.ok((a.stack.counters["esp.drop.unknown-spi"] ?? 0) > 0, "those that crossed were dropped here as unknown SPIs");
  } finally {
    await Promise.all([a.close(), s.close()]);
  }
});

test("worker-io: the first datagrams to each new destination keep their order (the ring may outrun the port message naming the destination)", { timeout: 30_000 }, async () => {
  const rng = new SeededRng(93);
  const hub = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker-io" });
  const peers = await Promise.all(Array.from({ length: 6 }, () => startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 } })));
  try {
    for (const p of peers) await p.connect(hub.locals[0], hub.hit, { timeoutMs: 5000 });
    const n = 12;
    const got = peers.map((p) => collect(p, n, 10_000));
    // One datagram per event-loop turn to each peer: the first one names a new destination.
    for (let i = 0; i < n; i++) {
      for (const p of peers) hub.send(p.hit, 5, 6, enc.encode(`${i}`));
      await new Promise((r) => setImmediate(r));
    }
    for (const g of got) assert.deepEqual((await g).map((m) => dec.decode(m.data)), Array.from({ length: n }, (_, i) => `${i}`));
  } finally {
    await Promise.all([hub.close(), ...peers.map((p) => p.close())]);
  }
});

test("worker-io: the Worker dies; the host reports it and closes without waiting on its sockets", { timeout: 15_000 }, async () => {
  const rng = new SeededRng(85);
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker-io" });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 } });
  try {
    await a.connect(b.locals[0], b.hit, { timeoutMs: 5000 });
    const errored = new Promise<Error>((resolve) => a.on("error", resolve));
    const worker = (a.espWorker!.dataPlane as unknown as { handle: import("node:worker_threads").Worker }).handle;
    await worker.terminate();
    assert.match((await errored).message, /ESP worker exited/);
    assert.equal(a.send(b.hit, 1, 2, enc.encode("after")), "no-association");
    const t0 = Date.now();
    await a.close();
    assert.ok(Date.now() - t0 < 1500, "close does not wait for a dead Worker's socket answers");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("worker-io needs sockets a Worker can own: RuntimeHost and socket-less runtimes refuse it with a clear error", async () => {
  const { RuntimeHost, resolveDataPlane } = await import("../../src/runtime/host.ts");
  const identity = HostIdentity.generate(new SeededRng(86));
  assert.throws(() => new RuntimeHost([], { identity, dataPlane: "worker-io" }), /worker-io.*startNodeHost or startDenoHost/);
  await assert.rejects(resolveDataPlane({ identity, dataPlane: "worker-io" }), /startNodeHost or startDenoHost/);
  // The shared UDP transport takes it only from an entry whose sockets a Worker can bind (hipmm/node, hipmm/deno).
  const { udpTransport } = await import("../../src/api/udp.ts");
  assert.throws(() => udpTransport(() => Promise.reject(new Error("unused")), ["127.0.0.1:0"], { dataPlane: "worker-io" }), /hipmm\/node, hipmm\/deno/);
});

test("worker-io through the high-level API: udp(…, { dataPlane: 'worker-io' }), data, and a move whose new socket is the Worker's", { timeout: 25_000 }, async () => {
  const { createHost, createIdentity, udp } = await import("../../src/entry/node.ts");
  const hip = { puzzleK: 2 };
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0", { dataPlane: "worker-io" }), hip });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0", { dataPlane: "worker-io" }), hip });
  try {
    const ra = a.backend as unknown as RuntimeHost;
    const rb = b.backend as unknown as RuntimeHost;
    assert.ok(ra.workerIo && rb.workerIo);
    const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
    const got: { text: string; from: string }[] = [];
    rb.on("message", (m) => got.push({ text: dec.decode(m.data), from: m.from.ip }));
    assert.equal(assoc.send("before"), "sent");
    await until(() => got.length >= 1);
    assert.deepEqual(got, [{ text: "before", from: "127.0.0.1" }]);
    const moved = new Promise((resolve) => b.on("moved", resolve));
    await a.move({ add: ["127.0.0.2:0"], remove: [a.locators[0]] });
    assert.ok(ra.driver.sockets.socketFor({ ip: "127.0.0.9", port: 1 }) instanceof WorkerUdpSocket, "the socket bound for the move is the Worker's");
    await moved;
    const tick = setInterval(() => assoc.send("after"), 5);
    try {
      await until(() => got.some((g) => g.from === "127.0.0.2"), 5000);
    } finally {
      clearInterval(tick);
    }
    assert.ok(got.some((g) => g.text === "after" && g.from === "127.0.0.2"), JSON.stringify(got.slice(-3)));
    assert.ok(rb.workerIo.stats.opened >= 2);
  } finally {
    await a.close();
    await b.close();
  }
});

test("worker-io: an address change binds the new socket in the Worker; the REA handover carries data on it", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(88);
  let ips = ["127.0.0.1"];
  const a = await startMobileNode({ identity: HostIdentity.generate(rng), addresses: ["127.0.0.1"], hip: { puzzleK: 2 }, dataPlane: "worker-io", watch: { snapshot: () => ips, intervalMs: 20 } });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker-io" });
  try {
    await a.host.connect(b.locals[0], b.hit, { timeoutMs: 5000 });
    const first = collect(b, 1);
    a.host.send(b.hit, 1, 2, enc.encode("before"));
    assert.equal((await first)[0].from.ip, "127.0.0.1");
    ips = ["127.0.0.2"];
    const fromNew: MessageEvent[] = [];
    b.on("message", (m) => m.from.ip === "127.0.0.2" && fromNew.push(m));
    const tick = setInterval(() => a.host.send(b.hit, 1, 2, enc.encode("to B")), 5);
    try {
      await until(() => fromNew.length > 0, 5000);
    } finally {
      clearInterval(tick);
    }
    assert.ok(fromNew.length > 0, "data arrives from the new address");
    assert.ok(a.host.driver.sockets.socketFor({ ip: "127.0.0.9", port: 1 }, { ip: "127.0.0.2", port: a.host.locals[0].port }) instanceof WorkerUdpSocket);
    assert.deepEqual(a.host.locals.map((l) => l.ip), ["127.0.0.2"]);
    assert.ok((b.workerIo?.stats.opened ?? 0) >= 2);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("worker-io: NAT keepalives see what the Worker sends: none while data flows, one per interval once idle", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(83);
  const opts = { listen: ["127.0.0.1:0"], hip: { puzzleK: 0 }, dataPlane: "worker-io" as const, natKeepaliveMs: 300 };
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), ...opts });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), ...opts, natKeepaliveMs: 0 });
  try {
    await a.connect(b.locals[0], b.hit, { timeoutMs: 5000 });
    const k0 = a.keepalive.sent;
    // 1.2 s of data A → B every 50 ms (4 keepalive intervals): every packet sealed and sent by A's Worker.
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < 1200) {
      assert.equal(a.send(b.hit, 1, 2, enc.encode(`d${n++}`)), "sent");
      await new Promise((r) => setTimeout(r, 50));
    }
    await until(() => b.workerIo!.stats.opened >= n);
    assert.ok(b.workerIo!.stats.opened >= n, "the data went Worker to Worker");
    assert.equal(a.keepalive.sent - k0, 0, "no keepalive on a path the Worker keeps busy");
    // Idle: keepalives resume (one per 300 ms interval).
    await until(() => a.keepalive.sent - k0 >= 2, 3000);
    assert.ok(a.keepalive.sent - k0 >= 2, `idle path kept alive: ${a.keepalive.sent - k0}`);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
