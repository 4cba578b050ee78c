// Zero-copy batches (EspBatch) in-process and in the Worker, sealInto, no per-packet WASM
// allocation, and Worker failure handling: pending batches reject instead of hanging.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { EspBatch } from "../../src/esp/espbatch.ts";
import { WorkerDataPlane } from "../../src/esp/remote.ts";
import { EspStatus, EspSuite } from "../../src/esp/types.ts";
import type { EspWasm } from "../../src/esp/wasm.ts";
import { keptPer } from "../helpers/heap.ts";
import { bytes, nodeOpen, SUITES, saPair } from "./helpers.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

test("EspBatch in-process: same packets as seal(), opened in place, full batch refuses more", () => {
  const a = new DataPlane();
  const b = new DataPlane();
  for (const suite of SUITES) {
    const [o, i] = saPair(suite, 0x7100 + suite, suite);
    const ao = a.installSa(o);
    const bo = b.installSa(o);
    a.installSa(i);
    const batch = new EspBatch({ maxPackets: 8, byteLength: 8 * 32 + 8 * 1600 });
    const payloads = Array.from({ length: 8 }, (_, k) => bytes(k * 150, k + suite));
    for (const p of payloads) assert.notEqual(batch.addSeal(ao, 17, p), -1);
    assert.equal(batch.addSeal(ao, 17, payloads[0]), -1, "entry table full");
    assert.equal(a.process("seal", batch), 8);
    const packets = payloads.map((p, k) => {
      assert.equal(batch.status(k), EspStatus.Ok);
      assert.equal(batch.seq(k), k + 1);
      assert.equal(batch.spi(k), 0x7100 + suite);
      const pkt = batch.data(k).slice();
      assert.deepEqual(pkt, b.seal(bo, 17, p), `suite ${suite} packet ${k}`);
      assert.deepEqual(nodeOpen(i, pkt)?.payload, p);
      return pkt;
    });
    batch.reset();
    for (const p of packets) assert.notEqual(batch.addOpen(p), -1);
    assert.equal(a.process("open", batch), 8);
    payloads.forEach((p, k) => {
      assert.equal(batch.status(k), EspStatus.Ok);
      assert.equal(batch.nextHeader(k), 17);
      assert.deepEqual(batch.data(k), p);
    });
  }
});

test("EspBatch reserve: caller writes into the slot; a too-large payload does not fit", () => {
  const dp = new DataPlane();
  const [o, i] = saPair(EspSuite.AES_GCM16, 0x7200);
  const h = dp.installSa(o);
  const batch = new EspBatch({ maxPackets: 4, byteLength: 4 * 32 + 256 });
  const off = batch.reserveSeal(h, 6, 100);
  batch.bytes.fill(0xab, off, off + 100);
  assert.equal(batch.reserveSeal(h, 6, 200), -1, "no room for a second slot");
  assert.equal(dp.process("seal", batch), 1);
  assert.deepEqual(nodeOpen(i, batch.data(0))?.payload, new Uint8Array(100).fill(0xab));
});

test("sealInto writes the same bytes as seal() into a caller buffer; reports NoSpace", () => {
  const a = new DataPlane();
  const b = new DataPlane();
  const [o] = saPair(EspSuite.AES128_CBC_SHA256, 0x7300);
  const ha = a.installSa(o);
  const hb = b.installSa(o);
  const out = new Uint8Array(300);
  const n = a.sealInto(ha, 17, bytes(64, 1), out, 10);
  assert.equal(n, 8 + 16 + 80 + 16);
  assert.deepEqual(out.subarray(10, 10 + n), b.seal(hb, 17, bytes(64, 1)));
  assert.equal(a.sealInto(ha, 17, bytes(64, 2), out, 250), 0);
  assert.equal(a.lastStatus, EspStatus.NoSpace);
  assert.equal(a.sealInto(9999, 17, bytes(4, 2), out, 0), 0);
  assert.equal(a.lastStatus, EspStatus.BadSa);
});

test("sealInto NoSpace uses no sequence number; openInto delivers payloads, statuses and metadata", () => {
  const dp = new DataPlane();
  for (const suite of SUITES) {
    const [o, i] = saPair(suite, 0x7800 + suite, suite);
    const ho = dp.installSa(o);
    const hi = dp.installSa(i);
    const out = new Uint8Array(2000);
    assert.equal(dp.sealInto(ho, 17, bytes(100, 1), out, 1990), 0);
    assert.equal(dp.lastStatus, EspStatus.NoSpace);
    const n = dp.sealInto(ho, 6, bytes(100, 1), out, 3);
    assert.ok(n > 100);
    assert.equal(dp.lastSeq, 1, "the refused packet did not use seq 1");
    assert.equal(dp.lastSpi, 0x7800 + suite);
    const pkt = out.slice(3, 3 + n);
    assert.deepEqual(nodeOpen(i, pkt)?.payload, bytes(100, 1));
    const got = new Uint8Array(300).fill(0xee);
    assert.equal(dp.openInto(pkt, got, 7), 100);
    assert.equal(dp.lastStatus, EspStatus.Ok);
    assert.deepEqual(got.subarray(7, 107), bytes(100, 1));
    assert.equal(got[6], 0xee);
    assert.equal(got[107], 0xee);
    assert.deepEqual([dp.lastSeq, dp.lastSpi, dp.lastHandle, dp.lastNextHeader], [1, 0x7800 + suite, hi, 6]);
    assert.equal(dp.openInto(pkt, got), -1);
    assert.equal(dp.lastStatus, EspStatus.Replay);
    const bad = dp.seal(ho, 17, bytes(10, 2));
    bad[bad.length - 1] ^= 1;
    assert.equal(dp.openInto(bad, got), -1);
    assert.equal(dp.lastStatus, EspStatus.AuthFailed);
    assert.equal(dp.openInto(bytes(5, 1), got), -1);
    assert.equal(dp.lastStatus, EspStatus.Malformed);
    assert.equal(dp.openInto(new Uint8Array(300), got), -1);
    assert.equal(dp.lastStatus, EspStatus.UnknownSpi);
    // The per-packet and batch paths agree on a mixed set of packets.
    const more = [dp.seal(ho, 17, bytes(0, 3)), dp.seal(ho, 17, bytes(1400, 4)), bad];
    const viaOpen = more.map((p) => dp.open(p));
    assert.deepEqual(viaOpen.map((r) => r.status), [0, 0, EspStatus.AuthFailed], "a forged packet never enters the window");
    assert.deepEqual(viaOpen[1].payload, bytes(1400, 4));
    assert.equal(viaOpen[0].payload.length, 0);
  }
});

test("no WASM allocation per packet: heap pointer and memory size unchanged by 3000 packets", () => {
  const dp = new DataPlane();
  const w = dp.crypto.wasm as EspWasm;
  const handles = SUITES.map((s) => saPair(s, 0x7400 + s, s)).map(([o, i]) => [dp.installSa(o), dp.installSa(i)]);
  const batch = new EspBatch();
  const out = new Uint8Array(2000);
  // An AES-GCM SA builds its GHASH tables (64 KiB, allocated once per SA slot) at its first
  // packet: one packet each first, then nothing may allocate.
  for (const [o] of handles) assert.equal(dp.open(dp.seal(o, 17, bytes(1, 1))).status, EspStatus.Ok);
  const p0 = w.cryptoAlloc(16);
  const p1 = w.cryptoAlloc(16);
  const mem = w.memory.buffer.byteLength;
  for (let k = 0; k < 100; k++) {
    for (const [o] of handles) {
      const pkt = dp.seal(o, 17, bytes(k * 13, k));
      assert.equal(dp.open(pkt).status, EspStatus.Ok);
      assert.ok(dp.sealInto(o, 17, bytes(k, k), out) > 0);
      batch.reset();
      for (let j = 0; j < 3; j++) batch.addSeal(o, 17, bytes(j * 100, j));
      assert.equal(dp.process("seal", batch), 3);
    }
  }
  assert.equal(w.cryptoAlloc(16), p1 + (p1 - p0), "bump allocator moved only by our own probes");
  assert.equal(w.memory.buffer.byteLength, mem);
});

test("an AES-GCM SA that carries no packet costs no GHASH tables; one that did reuses its slot's", () => {
  const dp = new DataPlane();
  const w = dp.crypto.wasm as EspWasm;
  const mark = () => [w.cryptoAlloc(16), w.memory.buffer.byteLength];
  // Warm the slot allocator: one pair installed, used (tables built) and removed.
  const [o0, i0] = saPair(EspSuite.AES_GCM16, 0x7700);
  const h0 = [dp.installSa(o0), dp.installSa(i0)];
  assert.equal(dp.open(dp.seal(h0[0], 17, bytes(40, 7))).status, EspStatus.Ok);
  for (const h of h0) assert.ok(dp.removeSa(h));
  const [aPrev] = mark();
  const [a0] = mark();
  const step = a0 - aPrev; // what one probe takes (aligned)
  // 200 pairs held at once, unused: each SA takes a slot (under 2 KiB), none its 64 KiB tables.
  const held: number[] = [];
  for (let k = 0; k < 200; k++) {
    const [o, i] = saPair(EspSuite.AES_GCM16, 0x7800 + 2 * k);
    held.push(dp.installSa(o), dp.installSa(i));
  }
  const [a1] = mark();
  assert.ok(a1 - a0 < held.length * 4096, `${a1 - a0} bytes for ${held.length} unused SAs`);
  for (const h of held) assert.ok(dp.removeSa(h));
  // A pair in a slot that had tables: the first packet builds them there again, right
  // (node:crypto opens it), with no new allocation.
  const [a1b, m1b] = mark();
  const [o, i] = saPair(EspSuite.AES_GCM16, 0x7a00);
  const hs = [dp.installSa(o), dp.installSa(i)];
  const pkt = dp.seal(hs[0], 17, bytes(300, 3));
  assert.deepEqual(nodeOpen(o, pkt)?.payload, bytes(300, 3));
  assert.equal(dp.open(pkt).status, EspStatus.Ok);
  const [a2, m2] = mark();
  assert.equal(a2, a1b + step);
  assert.equal(m2, m1b);
});

test("Worker (transfer mode): EspBatch transferred and shared (SharedArrayBuffer), several in flight", async () => {
  const w = await WorkerDataPlane.create({ ring: false });
  assert.equal(w.mode, "transfer");
  const local = new DataPlane();
  try {
    const [o, i] = saPair(EspSuite.AES128_CBC_SHA1, 0x7500);
    const wo = await w.installSa(o);
    const lo = local.installSa(o);
    await w.installSa(i);
    const batches = [new EspBatch(), new EspBatch({ shared: true }), new EspBatch(), new EspBatch({ shared: true })];
    batches.forEach((b, n) => {
      for (let k = 0; k < 64; k++) b.addSeal(wo, 17, bytes(k * 7, n * 64 + k));
    });
    const inFlight = batches.map((b) => w.process("seal", b));
    assert.equal(batches[0].detached, true, "transferred while in flight");
    assert.equal(batches[1].detached, false, "shared, not transferred");
    await Promise.all(inFlight);
    // Batches run in order in the worker: the sequence numbers continue across them.
    batches.forEach((b, n) => {
      assert.equal(b.ok, 64);
      for (let k = 0; k < 64; k++) {
        assert.equal(b.seq(k), n * 64 + k + 1);
        assert.deepEqual(b.data(k), local.seal(lo, 17, bytes(k * 7, n * 64 + k)));
      }
    });
    const open = new EspBatch({ shared: true });
    for (let k = 0; k < 64; k++) open.addOpen(batches[2].data(k));
    await w.process("open", open);
    assert.equal(open.ok, 64);
    assert.deepEqual(open.data(5), bytes(35, 2 * 64 + 5));
  } finally {
    await w.close();
  }
});

test("Worker (ring mode): more batches in flight than ring slots, in order, staging grows", async () => {
  const w = await WorkerDataPlane.create();
  const local = new DataPlane();
  try {
    assert.equal(w.mode, "ring");
    const [o, i] = saPair(EspSuite.AES128_CBC_SHA256, 0x7700);
    const wo = await w.installSa(o);
    const lo = local.installSa(o);
    await w.installSa(i);
    // 40 batches > RING_SLOTS; batch 7 is large (1400 B payloads) so its staging slot is replaced.
    const batches = Array.from({ length: 40 }, (_, n) => {
      const big = n === 7;
      const b = new EspBatch({ maxPackets: 128, byteLength: 128 * (big ? 1600 : 200), shared: n % 3 === 0 });
      for (let k = 0; k < 128; k++) b.addSeal(wo, 17, bytes(big ? 1400 : (k * 5) % 100, n * 128 + k));
      return b;
    });
    const done = await Promise.all(batches.map((b) => w.process("seal", b)));
    assert.equal(batches[0].detached, false, "ring mode copies, never transfers");
    done.forEach((b, n) => {
      assert.equal(b, batches[n]);
      assert.equal(b.ok, 128);
      for (let k = 0; k < 128; k++) assert.equal(b.seq(k), n * 128 + k + 1, "submission order");
    });
    for (const [n, k] of [[0, 0], [7, 99], [39, 127]]) {
      assert.deepEqual(nodeOpen(i, batches[n].data(k))?.payload, bytes(n === 7 ? 1400 : (k * 5) % 100, n * 128 + k));
    }
    // The same bytes as in-process for the first batch (same SA, same counters).
    for (let k = 0; k < 4; k++) assert.deepEqual(batches[0].data(k), local.seal(lo, 17, bytes((k * 5) % 100, k)));
    // Open them back, with one forged and one replayed packet.
    const open = new EspBatch({ maxPackets: 130, byteLength: 130 * 300 });
    for (let k = 0; k < 128; k++) open.addOpen(batches[3].data(k));
    const forged = open.reserveOpen(batches[4].length(0));
    open.bytes.set(batches[4].data(0), forged);
    open.bytes[forged + 20] ^= 1;
    open.addOpen(batches[3].data(0));
    await w.process("open", open);
    assert.equal(open.ok, 128);
    assert.equal(open.status(128), EspStatus.AuthFailed);
    assert.equal(open.status(129), EspStatus.Replay);
    assert.deepEqual(open.data(9), bytes(45, 3 * 128 + 9));
  } finally {
    await w.close();
  }
});

test("Worker (ring mode): slot-backed batches run in place, in order (mixed with copied ones), reuse, refuse use in flight", async () => {
  const w = await WorkerDataPlane.create();
  const local = new DataPlane();
  try {
    assert.equal(w.mode, "ring");
    const [o, i] = saPair(EspSuite.AES_GCM16, 0x7800);
    const wo = await w.installSa(o);
    const lo = local.installSa(o);
    await w.installSa(i);
    // 20 batches > RING_SLOTS; batch 5 is a plain EspBatch (copied through a staging slot).
    const opts = { maxPackets: 16, byteLength: 16 * 200 };
    const xs = Array.from({ length: 20 }, (_, j) => (j === 5 ? new EspBatch(opts) : w.batch(opts)));
    const bufs = xs.map((x) => x.bytes.buffer);
    assert.ok(bufs[0] instanceof SharedArrayBuffer, "slot-backed: shared memory");
    let n = 0;
    for (let round = 0; round < 2; round++) {
      const refused: Promise<EspBatch>[] = [];
      const runs = xs.map((x, j) => {
        x.reset();
        for (let k = 0; k < 16; k++) x.addSeal(wo, 17, bytes((k * 7) % 90, n++));
        const run = w.process("seal", x);
        // Just submitted, so certainly in flight (batches retire only in a later pump): filling,
        // resetting or processing it again is refused, and it stays in flight.
        if (j === 5 || j === 19) {
          assert.equal(x.inFlight, true);
          assert.throws(() => x.addSeal(wo, 17, bytes(1, 1)), /in flight/);
          assert.throws(() => x.reserveOpen(10), /in flight/);
          assert.throws(() => x.reset(), /in flight/);
          assert.throws(() => local.process("seal", x), /in flight/);
          refused.push(w.process("seal", x));
          assert.equal(x.inFlight, true);
        }
        return run;
      });
      for (const r of refused) await assert.rejects(r, /in flight/);
      const done = await Promise.all(runs);
      done.forEach((x, j) => {
        assert.equal(x, xs[j]);
        assert.equal(x.inFlight, false);
        assert.equal(x.bytes.buffer, bufs[j], "results in the batch's own buffer");
        assert.equal(x.ok, 16);
        for (let k = 0; k < 16; k++) {
          const m = (round * 20 + j) * 16 + k;
          assert.equal(x.seq(k), m + 1, "submission order");
          assert.deepEqual(x.data(k), local.seal(lo, 17, bytes((k * 7) % 90, m)));
        }
      });
    }
    // Only the two plain batches (seq 5 and 25: slots 5 and 9) needed staging buffers.
    const staging = (w as unknown as { ring: { staging: (Uint8Array | undefined)[] } }).ring.staging;
    assert.deepEqual(Object.keys(staging), ["5", "9"]);
    // Open in place: 15 packets of batch 3, then a replay of its first.
    const open = w.batch({ maxPackets: 16, byteLength: 16 * 200 });
    for (let k = 0; k < 15; k++) open.addOpen(xs[3].data(k));
    open.addOpen(xs[3].data(0));
    assert.equal(await w.process("open", open), open);
    assert.equal(open.ok, 15);
    assert.equal(open.status(15), EspStatus.Replay);
    assert.deepEqual(open.data(4), bytes(28, (20 + 3) * 16 + 4));
  } finally {
    await w.close();
  }
  // Transfer mode: batch() is a plain batch, guarded the same way while in flight.
  const t = await WorkerDataPlane.create({ ring: false });
  try {
    const [o] = saPair(EspSuite.AES128_CBC_SHA1, 0x7900);
    const h = await t.installSa(o);
    const b = t.batch({ maxPackets: 4 });
    b.addSeal(h, 17, bytes(20, 1));
    const run = t.process("seal", b);
    assert.throws(() => b.addSeal(h, 17, bytes(1, 1)), /in flight/);
    await assert.rejects(t.process("seal", b), /in flight/);
    assert.equal((await run).ok, 1);
    assert.equal(b.reset().addSeal(h, 17, bytes(20, 2)), 0, "reusable after it settled");
    assert.equal((await t.process("seal", b)).seq(0), 2);
  } finally {
    await t.close();
  }
});

test("Worker failure: a bad batch rejects alone; a dead worker rejects all pending and later calls", async () => {
  const w = await WorkerDataPlane.create();
  const [o] = saPair(EspSuite.AES_GCM16, 0x7600);
  const h = await w.installSa(o);
  await assert.rejects(w.runBatch("bogus" as "seal", new ArrayBuffer(64), 1), /ESP worker: unknown batch op/);
  const b = new EspBatch();
  b.addSeal(h, 17, bytes(10, 1));
  assert.equal((await w.process("seal", b)).ok, 1, "still serving after a bad batch");
  // Kill the worker thread under in-flight batches (as a crash would). terminate() takes effect
  // when it does (the worker once sealed 48 batches of 64 × 1400 B before it died): keep
  // submitting until the exit is seen, so batches are in flight at that moment, whenever it is.
  const handle = (w as unknown as { handle: import("node:worker_threads").Worker }).handle;
  let exited = false;
  handle.once("exit", () => {
    exited = true; // after the plane's own exit listener (registered first) failed everything
  });
  const many: Promise<EspBatch>[] = [];
  void handle.terminate();
  for (let turn = 0; turn < 20_000 && !exited; turn++) {
    for (let i = 0; i < 4; i++) {
      const x = new EspBatch();
      for (let k = 0; k < 16; k++) x.addSeal(h, 17, bytes(200, k));
      const q = w.process("seal", x);
      q.catch(() => {}); // settled below, after the loop
      many.push(q);
    }
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(exited, "the worker exited");
  const results = await Promise.allSettled(many);
  assert.ok(results.some((r) => r.status === "rejected"), "in-flight batches rejected");
  for (const r of results) if (r.status === "rejected") assert.match(String(r.reason), /ESP worker exited/);
  await assert.rejects(w.process("seal", new EspBatch()), /ESP worker exited/);
  await assert.rejects(w.installSa(o), /ESP worker exited/);
  await w.close();
});

test("Worker failure: an 'error' event rejects pending control calls and batches; close() rejects pending", async () => {
  const w = await WorkerDataPlane.create();
  const handle = (w as unknown as { handle: import("node:worker_threads").Worker }).handle;
  const pendingCall = w.lookupSpi(1);
  const pendingBatch = w.runBatch("open", new ArrayBuffer(64), 0);
  handle.emit("error", new Error("boom"));
  await assert.rejects(pendingBatch, /boom/);
  await assert.rejects(pendingCall, /boom/);
  await w.close();
  const w2 = await WorkerDataPlane.create();
  const p = assert.rejects(w2.runBatch("seal", new ArrayBuffer(64), 0), /closed/);
  await w2.close();
  await p;
});

test("Worker control calls leave nothing behind: heap per settled call stays flat", async () => {
  // control() raced every call against one "died" promise that never settles while the Worker
  // lives; each race left a reaction on it: ~660 bytes per call (SA install, removal, lookup,
  // stats), kept for the Worker's life; a server churning associations grew ~2 KB per association.
  // Now flat (±50 bytes per call of noise over 20,000 calls).
  const w = await WorkerDataPlane.create();
  try {
    for (let i = 0; i < 200; i++) await w.lookupSpi(i); // warm-up
    const n = 20_000;
    const { per } = await keptPer(n, async () => {
      for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => w.lookupSpi(i + k)));
    });
    assert.ok(per < 250, `${per.toFixed(0)} bytes kept per settled control call`);
  } finally {
    await w.close();
  }
});
