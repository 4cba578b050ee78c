// Runtime hosts with the ESP data plane in a Worker (`dataPlane: "worker"`): real loopback UDP,
// each event-loop turn's packets sealed/opened as one batch in the Worker (src/runtime/esp-runner.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { hitFromString, hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { RuntimeHost } from "../../src/runtime/host.ts";
import { startMobileNode } from "../../src/runtime/mobility-node.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { collect } from "../helpers/messages.ts";
import { bindNodeUdp } from "../../src/transport/udp-node.ts";
import { denoSkip, runDeno } from "../helpers/deno.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();


const isEsp = (d: Uint8Array) => d.length > 8 && (d[0] | d[1] | d[2] | d[3]) !== 0;
const drops = (h: RuntimeHost) => Object.entries(h.stack.counters).filter(([k]) => k.startsWith("esp.drop") || k.startsWith("esp.seal"));

test("worker data plane: two Node hosts, SAs before first use, batches in order, both ways", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(71);
  const espOut: Uint8Array[] = [];
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker", tap: (dir, _t, d) => dir === "out" && isEsp(d) && espOut.push(d.slice()) });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker" });
  try {
    assert.ok(a.espWorker && b.espWorker && !a.stack.dataPlane);
    const up = a.connect(b.locals[0], b.hit, { timeoutMs: 5000 });
    // Queued before any SA exists: sealed once the SA is installed in the Worker, nothing fails.
    const early = collect(b, 2);
    assert.equal(a.send(b.hit, 10, 20, enc.encode("early 1")), "queued");
    assert.equal(a.send(b.hit, 10, 20, enc.encode("early 2")), "queued");
    await up;
    assert.deepEqual((await early).map((m) => dec.decode(m.data)), ["early 1", "early 2"]);
    // 64 datagrams in one turn: one seal batch, delivered in order.
    const many = collect(b, 64);
    for (let i = 0; i < 64; i++) assert.equal(a.send(b.hit, 10, 20, enc.encode(`m${i}`)), "sent");
    const got = await many;
    assert.deepEqual(got.map((m) => dec.decode(m.data)), Array.from({ length: 64 }, (_, i) => `m${i}`));
    assert.deepEqual(got.map((m) => m.seq), Array.from({ length: 64 }, (_, i) => i + 3), "sequence numbers follow the queue order");
    assert.equal(a.espWorker.stats.largestBatch, 64);
    // And back, B → A, with ports swapped.
    const back = collect(a, 3);
    for (const s of ["x", "y", "z"]) b.send(a.hit, 20, 10, enc.encode(s));
    const bm = await back;
    assert.deepEqual(bm.map((m) => [dec.decode(m.data), m.srcPort, m.dstPort]), [["x", 20, 10], ["y", 20, 10], ["z", 20, 10]]);
    assert.equal(hitToString(bm[0].peerHit), hitToString(b.hit));
    assert.equal(b.stack.host.association(a.hit)?.state, "ESTABLISHED");
    assert.deepEqual(drops(a), []);
    assert.deepEqual(drops(b), []);
    assert.ok(a.espWorker.stats.saInstalls >= 2 && a.espWorker.stats.saFailures === 0);
    assert.equal(a.stack.counters["esp.tx"], 66);
    assert.equal(b.stack.counters["esp.rx"], 66);

    // Tampered ESP is counted and dropped; a replayed original too; nothing is delivered.
    const raw = await bindNodeUdp("127.0.0.1", 0);
    const events: string[] = [];
    b.on("event", (e) => e.type === "esp-drop" && events.push(e.reason));
    const delivered: string[] = [];
    b.on("message", (m) => delivered.push(dec.decode(m.data)));
    // A fresh sequence number (else the replay check, which runs first, would catch it: RFC 4303 §3.4.3).
    const tampered = espOut[5].slice();
    new DataView(tampered.buffer).setUint32(4, 1000);
    raw.send({ to: b.locals[0], data: tampered });
    raw.send({ to: b.locals[0], data: espOut[6] });
    const deadline = Date.now() + 3000;
    while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await raw.close();
    assert.deepEqual(events.sort(), ["auth-failed", "replay"]);
    assert.equal(b.stack.counters["esp.drop.auth-failed"], 1);
    assert.equal(b.stack.counters["esp.drop.replay"], 1);
    assert.deepEqual(delivered, []);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("worker data plane host ↔ in-process host: same wire format, data both ways", { timeout: 15_000 }, async () => {
  const rng = new SeededRng(72);
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["[::1]:0"], hip: { puzzleK: 2 }, dataPlane: "worker" });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["[::1]:0"], hip: { puzzleK: 2 } });
  try {
    await b.connect(a.locals[0], a.hit, { timeoutMs: 5000 });
    b.on("message", (m) => b.send(m.peerHit, m.dstPort, m.srcPort, m.data));
    const atA = collect(a, 1);
    b.send(a.hit, 1, 2, enc.encode("hello worker"));
    assert.equal(dec.decode((await atA)[0].data), "hello worker");
    const replies = collect(a, 10);
    for (let i = 0; i < 10; i++) a.send(b.hit, 7, 8, enc.encode(`echo ${i}`));
    assert.deepEqual((await replies).map((m) => dec.decode(m.data)), Array.from({ length: 10 }, (_, i) => `echo ${i}`));
    assert.deepEqual(drops(a), []);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("worker data plane: REA handover (127.0.0.1 → 127.0.0.2) carries data on the new path", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(73);
  let ips = ["127.0.0.1"];
  const a = await startMobileNode({ identity: HostIdentity.generate(rng), addresses: ["127.0.0.1"], hip: { puzzleK: 2 }, dataPlane: "worker", watch: { snapshot: () => ips, intervalMs: 20 } });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker" });
  const kinds: string[] = [];
  b.on("event", (e) => e.type === "mobility" && kinds.push(e.ev.type));
  try {
    await a.host.connect(b.locals[0], b.hit, { timeoutMs: 5000 });
    const first = collect(b, 1);
    a.host.send(b.hit, 1, 2, enc.encode("before"));
    assert.equal((await first)[0].from.ip, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 100));
    ips = ["127.0.0.2"];
    const viaNew = collect(a.host, 1, 5000, (m) => m.to?.ip === "127.0.0.2");
    const fromNew = collect(b, 1, 5000, (m) => m.from.ip === "127.0.0.2");
    const tick = setInterval(() => {
      b.send(a.host.hit, 2, 1, enc.encode("to A"));
      a.host.send(b.hit, 1, 2, enc.encode("to B"));
    }, 5);
    try {
      await Promise.all([viaNew, fromNew]);
    } finally {
      clearInterval(tick);
    }
    assert.ok(kinds.includes("peer-rea") && kinds.includes("address-verified"), kinds.join());
    assert.equal(b.stack.mobility?.session(a.host.hit)?.path?.to.ip, "127.0.0.2");
    for (const h of [a.host, b]) {
      const bad = drops(h).filter(([k]) => !k.startsWith("esp.drop.no-path"));
      assert.deepEqual(bad, [], "no ESP lost to SA ordering");
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("worker crash: the host reports an error event and stops cleanly", { timeout: 15_000 }, async () => {
  const rng = new SeededRng(74);
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker" });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 } });
  try {
    await a.connect(b.locals[0], b.hit, { timeoutMs: 5000 });
    b.on("message", (m) => b.send(m.peerHit, m.dstPort, m.srcPort, m.data));
    const errored = new Promise<Error>((resolve) => a.on("error", resolve));
    // Traffic in flight, then the Worker thread dies (as a crash would).
    const echoes = collect(a, 1);
    a.send(b.hit, 1, 2, enc.encode("ping"));
    await echoes;
    for (let i = 0; i < 32; i++) a.send(b.hit, 1, 2, enc.encode("more"));
    const worker = (a.espWorker!.dataPlane as unknown as { handle: import("node:worker_threads").Worker }).handle;
    await worker.terminate();
    const e = await errored;
    assert.match(e.message, /ESP worker exited/);
    assert.equal(a.error, e);
    assert.equal(a.send(b.hit, 1, 2, enc.encode("after")), "no-association");
    await assert.rejects(a.connect({ ip: "127.0.0.1", port: 9 }, undefined, { timeoutMs: 1000 }), /ESP worker exited/);
    await a.close(); // idempotent, resolves
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("deno host (worker data plane) ↔ node host (worker data plane)", { skip: denoSkip(), timeout: 40_000 }, async () => {
  const node = await startNodeHost({ identity: HostIdentity.generate(new SeededRng(75)), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker" });
  const got: string[] = [];
  node.on("message", (m) => {
    got.push(dec.decode(m.data));
    node.send(m.peerHit, m.dstPort, m.srcPort, enc.encode(`node got ${dec.decode(m.data)}`));
  });
  try {
    const loc = node.locals[0];
    const r = await runDeno(["run", "--quiet", "--unstable-net", "--allow-net", "--allow-read", "--allow-env", "test/e2e/fixtures/deno-worker-peer.ts", hitToString(node.hit), loc.ip, String(loc.port)], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { error?: string; established?: string; hit: string; replies: string[]; worker: boolean; largestBatch: number };
    assert.equal(out.error, undefined, out.error);
    assert.equal(out.worker, true);
    assert.equal(out.established, hitToString(node.hit));
    assert.deepEqual(out.replies, Array.from({ length: 8 }, (_, i) => `node got deno ${i}`));
    assert.deepEqual(got, Array.from({ length: 8 }, (_, i) => `deno ${i}`));
    assert.ok(out.largestBatch >= 2, "the Deno host sealed its 8 datagrams as one batch");
    // The Deno host's close() at exit sent CLOSE (RFC 7401 §6.14): no stale association here.
    assert.equal(node.stack.host.association(hitFromString(out.hit) as Uint8Array)?.state, "CLOSED");
  } finally {
    await node.close();
  }
});

test("tunnel host (browser runtime) with a worker data plane, via a WebSocket FA", { timeout: 20_000 }, async () => {
  const { default: WebSocket } = await import("ws");
  const { faConfig } = await import("../../src/fa/core/config.ts");
  const { FaServer } = await import("../../src/fa/server/server.ts");
  const { MemoryLeaseStore } = await import("../../src/fa/store/memory.ts");
  const { startTunnelHost } = await import("../../src/runtime/browser.ts");
  const { WsTunnel } = await import("../../src/transport/tunnel.ts");
  const probe = await bindNodeUdp("127.0.0.1", 0);
  const faLoc = probe.local;
  await probe.close();
  const rng = new SeededRng(76);
  const fa = await FaServer.start({ identity: HostIdentity.generate(rng), config: faConfig({ control: [faLoc], shared4: [faLoc], puzzle: "off" }), store: new MemoryLeaseStore(), ws: { ip: "127.0.0.1", port: 0 } });
  const peer = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: "worker" });
  peer.on("message", (m) => peer.send(m.peerHit, m.dstPort, m.srcPort, enc.encode(`echo:${dec.decode(m.data)}`)));
  let host: Awaited<ReturnType<typeof startTunnelHost>> | undefined;
  try {
    const tunnel = await WsTunnel.connect(`ws://127.0.0.1:${fa.wsLocator?.port}`, WebSocket as unknown as new (u: string) => globalThis.WebSocket);
    host = await startTunnelHost({ identity: HostIdentity.generate(rng), tunnel, fa: { locator: faLoc }, dataPlane: "worker" });
    assert.ok(host.espWorker && !host.stack.dataPlane);
    const hit = await host.connect(peer.locals[0], peer.hit);
    const replies: string[] = [];
    host.on("message", (m) => replies.push(dec.decode(m.data)));
    for (let i = 0; i < 4; i++) assert.equal(host.send(hit, 7000, 7001, enc.encode(`t${i}`)), "sent");
    for (let i = 0; i < 300 && replies.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(replies, ["echo:t0", "echo:t1", "echo:t2", "echo:t3"]);
    assert.equal(host.espWorker.stats.largestBatch, 4);
  } finally {
    await host?.close();
    await peer.close();
    await fa.close();
  }
});
