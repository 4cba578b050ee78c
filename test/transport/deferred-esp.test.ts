// HostStack with `deferEsp` (sans-I/O): SA changes and seal/open jobs come out in one ordered
// queue, and completeSeal/completeOpen give the same results as the in-process path. The queue
// is run here synchronously by an in-process DataPlane (the Worker runner does it in batches).
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import type { Locator, Millis } from "../../src/core/types.ts";
import type { DataPlane } from "../../src/esp/dataplane.ts";
import { EspBatch } from "../../src/esp/espbatch.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { HipLimits } from "../../src/hip/limits.ts";
import { HostStack, newDataPlane, type StackEvent } from "../../src/runtime/stack.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const LA: Locator = { ip: "10.0.0.1", port: 10500 };
const LA2: Locator = { ip: "10.0.9.1", port: 10500 };
const LB: Locator = { ip: "10.0.0.2", port: 10500 };
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Runs a deferred stack's queue in order on `dp`; returns the kinds it saw. */
function runQueue(s: HostStack, dp: DataPlane, handles: Map<number, number>, now: Millis): string[] {
  const kinds: string[] = [];
  for (const w of s.deferred?.take() ?? []) {
    kinds.push(w.kind);
    if (w.kind === "install") handles.set(w.id, dp.installSa(w.sa));
    else if (w.kind === "remove") dp.removeSa(handles.get(w.id) ?? 0);
    else if (w.kind === "seal") {
      const h = handles.get(w.job.handle) ?? 0;
      if (w.job.udpPseudo !== undefined) {
        // A BEET UDP segment without its checksum: the data plane fills it (as the Worker runner's batches do).
        const b = new EspBatch({ maxPackets: 1 });
        b.addSealUdp(h, w.job.udpPseudo, w.job.seg);
        dp.process("seal", b);
        s.completeSeal(now, w.job, b.status(0), b.data(0).slice());
      } else {
        const r = dp.sealOne(h, w.job.nextHeader, w.job.seg);
        s.completeSeal(now, w.job, r.status, r.packet);
      }
    } else {
      const r = dp.open(w.job.data);
      if (r.status === 0) s.deferred?.noteOpened(r.spi, r.seq);
      s.completeOpen(now, w.job, r);
    }
  }
  s.settle(now);
  return kinds;
}

function setup(limits: Partial<HipLimits> = {}) {
  const rng = new SeededRng(9);
  const evA: StackEvent[] = [];
  const evB: StackEvent[] = [];
  const a = new HostStack({ host: { identity: HostIdentity.generate(rng), rng, puzzleK: 0, limits }, deferEsp: true, mobility: {}, addresses: [LA], onEvent: (e) => evA.push(e) });
  const b = new HostStack({ host: { identity: HostIdentity.generate(rng), rng, puzzleK: 0 }, mobility: {}, addresses: [LB], onEvent: (e) => evB.push(e) });
  const dp = newDataPlane();
  const handles = new Map<number, number>();
  const kinds: string[] = [];
  let now = 0;
  /** Delivers everything both ways (B's packets arrive at A's current address) until quiet. */
  const pump = () => {
    for (let i = 0; i < 100; i++) {
      kinds.push(...runQueue(a, dp, handles, now));
      let n = 0;
      for (let t = a.pollTransmit(); t; t = a.pollTransmit(), n++) b.handleDatagram(now, t.data, t.from ?? LA, t.to);
      for (let t = b.pollTransmit(); t; t = b.pollTransmit(), n++) a.handleDatagram(now, t.data, LB, t.to);
      if (n === 0 && !a.deferred?.pending) return;
    }
  };
  const tick = (ms: number) => {
    now += ms;
    a.handleTimeout(now);
    b.handleTimeout(now);
    pump();
  };
  return { a, b, evA, evB, kinds, pump, tick, dp, handles, get now() { return now; } };
}

const messages = (ev: StackEvent[]) => ev.flatMap((e) => (e.type === "message" ? [{ text: dec.decode(e.data), viaRea: e.viaRea === true }] : []));

test("deferred ESP: SA installs are queued before the datagrams that need them; data both ways", () => {
  const w = setup();
  assert.equal(w.a.dataPlane, undefined);
  w.a.connect(0, LB, w.b.hit, LA);
  assert.equal(w.a.send(w.b.hit, 1, 2, enc.encode("queued")), "queued");
  w.pump();
  const firstSeal = w.kinds.indexOf("seal");
  assert.ok(firstSeal > 0 && w.kinds.slice(0, firstSeal).filter((k) => k === "install").length === 2, w.kinds.join());
  assert.deepEqual(messages(w.evB), [{ text: "queued", viaRea: false }]);
  assert.equal(w.b.send(w.a.hit, 2, 1, enc.encode("back")), "sent");
  w.pump();
  assert.deepEqual(messages(w.evA), [{ text: "back", viaRea: false }]);
  assert.equal(w.a.counters["esp.rx"], 1);
  // Tampered: dropped at completion with the data plane's status, counted.
  w.b.send(w.a.hit, 2, 1, enc.encode("x"));
  const t = w.b.pollTransmit();
  assert.ok(t);
  const bad = t.data.slice();
  bad[bad.length - 1] ^= 1;
  w.a.handleDatagram(w.now, bad, LB, LA);
  w.pump();
  assert.equal(w.a.counters["esp.drop.auth-failed"], 1);
  // Unknown SPI: dropped in the prepare step, before any crypto.
  const before = w.kinds.filter((k) => k === "open").length;
  w.a.handleDatagram(w.now, new Uint8Array([0, 0, 0x77, 0x77, 0, 0, 0, 1, 9, 9, 9, 9]), LB, LA);
  w.pump();
  assert.equal(w.a.counters["esp.drop.unknown-spi"], 1);
  assert.equal(w.kinds.filter((k) => k === "open").length, before);
});

test("deferred ESP: while an REA is about to go out, one datagram rides in it; if the REA left first, it takes the path", () => {
  const w = setup();
  w.a.connect(0, LB, w.b.hit, LA);
  w.pump();
  w.tick(100);
  w.a.send(w.b.hit, 1, 2, enc.encode("warm"));
  w.tick(100);
  // A moves: an REA is about to go out (draft §6.1.1). Two datagrams in the same turn.
  w.a.setLocalAddresses(w.now, [LA2]);
  w.a.send(w.b.hit, 1, 2, enc.encode("in the REA"));
  w.a.send(w.b.hit, 1, 2, enc.encode("on its own"));
  const jobs = w.a.deferred?.take() ?? [];
  assert.deepEqual(jobs.map((j) => (j.kind === "seal" ? j.job.rea : j.kind)), [true, false], "only one datagram per REA");
  // Put them back (in order) and run: the first is offered to the REA.
  for (const j of jobs) if (j.kind === "seal") w.a.deferred?.seal(j.job);
  w.pump(); // sealed before the REA's timer fires
  w.tick(1);
  w.tick(500);
  assert.equal(w.a.counters["esp.tx.rea"], 1);
  const got = messages(w.evB).slice(1);
  assert.deepEqual(got.find((m) => m.viaRea), { text: "in the REA", viaRea: true });
  assert.ok(got.some((m) => m.text === "on its own" && !m.viaRea));
  // Again, but the REA goes out (timer) before the seal completes: the datagram takes the path.
  w.a.setLocalAddresses(w.now, [LA]);
  w.a.send(w.b.hit, 1, 2, enc.encode("late"));
  const late = w.a.deferred?.take() ?? [];
  assert.equal(late.length, 1);
  assert.ok(late[0].kind === "seal" && late[0].job.rea, "prepared for the REA");
  w.a.handleTimeout(w.now); // the REA leaves now, without ESP
  for (const j of late) if (j.kind === "seal") w.a.deferred?.seal(j.job);
  w.pump();
  w.tick(500);
  assert.equal(w.a.counters["esp.tx.rea"], 1, "not offered to an REA already sent");
  assert.ok(messages(w.evB).some((m) => m.text === "late" && !m.viaRea));
});

test("deferred ESP: limits.maxEspQueue bounds the jobs waiting for a busy data plane; the rest is refused before any crypto and counted", () => {
  const w = setup({ maxEspQueue: 8 });
  w.a.connect(0, LB, w.b.hit, LA);
  w.pump();
  assert.ok(w.a.saCount > 0);
  // Nothing drains A's queue now (a Worker that does not keep up): 20 sends, 20 ESP datagrams in.
  const sent = Array.from({ length: 20 }, (_, k) => w.a.send(w.b.hit, 1, 2, enc.encode(`s${k}`)));
  assert.deepEqual(sent.filter((x) => x === "sent").length, 8);
  assert.ok(sent.slice(8).every((x) => x === "seal-failed"));
  assert.equal(w.a.counters["esp.drop.seal.queue-full"], 12);
  const inbound: Uint8Array[] = [];
  for (let k = 0; k < 20; k++) {
    assert.equal(w.b.send(w.a.hit, 2, 1, enc.encode(`r${k}`)), "sent");
    for (let t = w.b.pollTransmit(); t; t = w.b.pollTransmit()) inbound.push(t.data);
  }
  for (const d of inbound) w.a.handleDatagram(w.now, d, LB, LA);
  assert.equal(w.a.deferred?.queuedSeals, 8);
  assert.equal(w.a.deferred?.queuedOpens, 8);
  assert.equal(w.a.counters["esp.drop.queue-full"], inbound.length - 8);
  assert.ok(w.evA.some((e) => e.type === "esp-drop" && e.reason === "queue-full" && e.spi !== 0));
  // Once the data plane catches up, what was kept goes through and new work is taken again.
  w.pump();
  assert.deepEqual(messages(w.evB).map((m) => m.text).slice(-8), ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"]);
  assert.deepEqual(messages(w.evA).map((m) => m.text), ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"]);
  assert.equal(w.a.send(w.b.hit, 1, 2, enc.encode("after")), "sent");
  w.pump();
  assert.equal(messages(w.evB).at(-1)?.text, "after");
});
