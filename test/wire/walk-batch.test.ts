// Batched parameter walk (RFC 7401 §5.2.1 rules, docs/PROTOCOL.md §3): the WASM batch (copied in
// or already in WASM memory) and the TS batch agree with walkParamsTs packet by packet on valid,
// mutated and random inputs, split correctly at their limits and never trap.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  type BatchWalkResult,
  TsBatchWalker,
  WALK_ERR_INPUT,
  WALK_ERR_ORDER,
  WALK_ERR_OVERRUN,
  WALK_ERR_TRUNCATED,
  type WasmWalker,
  walkParamsBatch,
  walkParamsTs,
  wireWasm,
} from "../../src/wire/walk.ts";
import { corpus, mutatedPacket } from "./mutate.ts";
import { bindWireWasm } from "../../src/wasm/wire-walk.ts";

assert.ok(bindWireWasm(), "WASM walk must load");
const w = wireWasm() as WasmWalker;
const tsWalker = new TsBatchWalker();

const seen = new Map<number, number>();

/** Packet i of a batch result in the shape walkParamsTs returns, read through every accessor. */
function check(r: BatchWalkResult, i: number, bytes: Uint8Array, start: number, label: string): void {
  const want = walkParamsTs(bytes, start);
  const key = Math.min(r.status(i), 1);
  seen.set(key, (seen.get(key) ?? 0) + 1);
  assert.deepEqual(r.result(i), want, `${label} packet ${r.from + i}`);
  assert.equal(r.packetLength(i), bytes.length);
  if (want.ok) {
    assert.equal(r.status(i), want.value.count);
    assert.equal(r.count(i), want.value.count);
    assert.equal(r.errorOffset(i), 0);
    for (let j = 0; j < want.value.count; j++) {
      assert.equal(r.type(i, j), want.value.type(j));
      assert.equal(r.offset(i, j), want.value.offset(j));
      assert.equal(r.length(i, j), want.value.length(j));
      assert.equal(r.valueOffset(i, j), want.value.valueOffset(j));
    }
    const t = want.value.count > 0 ? want.value.type(want.value.count - 1) : 1;
    assert.equal(r.find(i, t), want.value.find(t));
  } else {
    assert.ok(!r.ok(i) && r.count(i) === 0);
    assert.equal(r.errorOffset(i), want.error.offset);
  }
}

/** Walks all packets with `walk`, continuing from `size` when a call stops short. */
function walkAll(walk: (from: number) => BatchWalkResult, packets: Uint8Array[], start: number, label: string): number {
  let calls = 0;
  for (let from = 0; from < packets.length; calls++) {
    const r = walk(from);
    assert.equal(r.from, from);
    assert.ok(r.size > 0, `${label}: no progress at ${from}`);
    for (let i = 0; i < r.size; i++) check(r, i, packets[from + i], start, label);
    from += r.size;
  }
  return calls;
}

const packet = fc.oneof(
  { arbitrary: mutatedPacket, weight: 6 },
  { arbitrary: fc.uint8Array({ maxLength: 120 }), weight: 1 },
  { arbitrary: fc.nat(corpus.length - 1).map((i) => corpus[i]), weight: 2 },
);

test("batch walk (WASM copied in, TS) equals walkParamsTs on mutated and random packets", () => {
  fc.assert(
    fc.property(fc.array(packet, { maxLength: 80 }), fc.oneof(fc.constant(40), fc.nat(48)), (packets, start) => {
      walkAll((from) => w.walkBatch(packets, start, from), packets, start, "wasm");
      walkAll((from) => tsWalker.walkBatch(packets, start, from), packets, start, "ts");
      walkAll((from) => walkParamsBatch(packets, start, from), packets, start, "facade");
    }),
    { seed: 11, numRuns: 1500 },
  );
  // the inputs reach every outcome: walked, truncated header, overrun, order, bad start
  for (const k of [1, 0, WALK_ERR_TRUNCATED, WALK_ERR_OVERRUN, WALK_ERR_ORDER, WALK_ERR_INPUT]) {
    assert.ok((seen.get(k) ?? 0) > 50, `${k}: ${JSON.stringify([...seen])}`);
  }
});

test("batch walk of packets already in WASM memory (unaligned, described by the caller)", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(packet, fc.nat(7)), { minLength: 1, maxLength: 40 }), (items) => {
      const input = w.batchInput;
      const desc = w.batchDesc;
      const packets = items.map(([p]) => p);
      let off = 0;
      items.forEach(([p, skew], k) => {
        off += skew; // odd addresses: the walk must not assume alignment
        input.set(p, off);
        desc[2 * k] = w.batchInputPtr + off;
        desc[2 * k + 1] = p.length;
        off += p.length;
      });
      const r = w.walkBatchDescribed(items.length, 40);
      assert.equal(r.size, items.length);
      for (let i = 0; i < r.size; i++) check(r, i, packets[i], 40, "in place");
      // the single-packet in-place walk agrees too
      const k = items.length - 1;
      const n = w.walkAt(desc[2 * k], desc[2 * k + 1], 40);
      const want = walkParamsTs(packets[k], 40);
      assert.equal(n, want.ok ? want.value.count : r.status(k));
    }),
    { seed: 12, numRuns: 400 },
  );
});

test("batch limits: 256 packets and 64 KiB per call, index capacity, oversize and out-of-memory input", () => {
  // 300 packets → 256 + 44, results identical to the single walk
  const many = Array.from({ length: 300 }, (_, i) => corpus[i % corpus.length]);
  assert.equal(
    walkAll((from) => w.walkBatch(many, 40, from), many, 40, "300"),
    2,
  );
  // 40 × 2 KiB > 64 KiB → split by bytes
  const big = new Uint8Array(2048);
  for (let o = 40; o < 2048; o += 8) big[o + 1] = 1; // 251 TLVs of type 1, Length 0
  const bigs = Array.from({ length: 40 }, () => big);
  assert.equal(walkAll((from) => w.walkBatch(bigs, 40, from), bigs, 40, "bytes"), 2);
  // longer than the whole input region: WALK_ERR_INPUT for that packet only, the rest walk
  const huge = new Uint8Array(70_000);
  const r = w.walkBatch([corpus[0], huge, corpus[1]], 40);
  assert.equal(r.size, 3);
  assert.equal(r.status(1), WALK_ERR_INPUT);
  check(r, 0, corpus[0], 40, "huge");
  check(r, 2, corpus[1], 40, "huge");
  // 256 descriptors aliasing one 2 KiB packet: the index (8192 entries) fills after 32 packets
  w.batchInput.set(big, 0);
  const desc = w.batchDesc;
  for (let k = 0; k < 256; k++) {
    desc[2 * k] = w.batchInputPtr;
    desc[2 * k + 1] = big.length;
  }
  const full = w.walkBatchDescribed(256, 40);
  assert.equal(full.size, Math.floor(8192 / 251));
  for (let i = 0; i < full.size; i++) assert.equal(full.status(i), 251);
  assert.equal(full.indexStart(full.size - 1), 251 * (full.size - 1));
  // descriptors outside linear memory or with a bad start: WALK_ERR_INPUT, no trap
  desc[0] = 0x7fff_fff0;
  desc[1] = 64;
  desc[2] = w.batchInputPtr;
  desc[3] = 16;
  const bad = w.walkBatchDescribed(2, 40);
  assert.deepEqual([bad.status(0), bad.status(1)], [WALK_ERR_INPUT, WALK_ERR_INPUT]);
  assert.equal(w.walkAt(0x7fff_fff0, 64, 0), WALK_ERR_INPUT);
});

test("batch walk keeps working after memory growth; TS and WASM report the same failing TLV", () => {
  const mem = (w as unknown as { ex: { memory: WebAssembly.Memory } }).ex.memory;
  const before = w.walkBatch([corpus[0]], 40);
  const count = before.status(0);
  mem.grow(1);
  const after = w.walkBatch([corpus[0]], 40);
  assert.equal(after.status(0), count);
  check(after, 0, corpus[0], 40, "grown");
  // type 2 after type 3 (order) and a Length running past the end (overrun), in one batch
  const order = Uint8Array.of(0, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0);
  const overrun = Uint8Array.of(0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 9, 0, 0, 0, 0);
  for (const r of [w.walkBatch([order, overrun], 0), tsWalker.walkBatch([order, overrun], 0)]) {
    assert.deepEqual([r.status(0), r.errorOffset(0), r.status(1), r.errorOffset(1)], [WALK_ERR_ORDER, 8, WALK_ERR_OVERRUN, 8]);
  }
});
