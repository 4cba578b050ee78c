// Multi-buffer HMAC in batches (assembly/esp/batch-mb.ts, crypto/hmac-x4.ts): a batch mixing
// suites and lengths (lanes of different block counts, 1 or 2 padded tail blocks, more packets
// than one 64-packet chunk) seals and opens exactly as the per-packet path and node:crypto do;
// a bad ICV fails only its own packet, duplicates in the same batch read as replays.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { EspStatus } from "../../src/esp/types.ts";
import { bytes, nodeOpen, SUITES, saPair } from "./helpers.ts";
import "../../src/wasm/loader.ts";

const LENS = [1, 63, 64, 65, 1400, 1500, 0, 55, 56, 119, 120, 200];

test("batch of mixed suites and lengths: seal/open identical to per packet and node:crypto; one bad ICV, replays", () => {
  const batch = new DataPlane();
  const single = new DataPlane();
  const pairs = SUITES.map((s, k) => saPair(s, 0x7a00 + k, 40 + k));
  const outs = pairs.map(([o]) => [batch.installSa(o), single.installSa(o)]);
  const ins = pairs.map(([, i]) => [batch.installSa(i), single.installSa(i)]);
  const items = Array.from({ length: 150 }, (_, k) => ({ sa: k % SUITES.length, payload: bytes(LENS[k % LENS.length], k + 7) }));

  const sealed = batch.sealBatch(items.map((it) => ({ handle: outs[it.sa][0], nextHeader: 17, payload: it.payload })));
  const packets = items.map((it, k) => {
    assert.equal(sealed[k].status, EspStatus.Ok);
    const ref = single.seal(outs[it.sa][1], 17, it.payload);
    assert.deepEqual(sealed[k].packet, ref, `packet ${k} suite ${SUITES[it.sa]} len ${it.payload.length}`);
    assert.deepEqual(nodeOpen(pairs[it.sa][1], ref)?.payload, it.payload, `node:crypto opens packet ${k}`);
    return ref;
  });

  // One bad ICV in the middle (an HMAC suite), then duplicates of earlier packets: one intact, one with a bad ICV.
  const bad = 71;
  assert.notEqual(SUITES[items[bad].sa], 13);
  const input = packets.map((p) => p.slice());
  input[bad][input[bad].length - 1] ^= 1;
  const dupBad = packets[3].slice();
  dupBad[dupBad.length - 1] ^= 0x80;
  input.push(packets[2].slice(), dupBad, packets[bad].slice());
  const got = batch.openBatch(input.map((p) => p.slice()));
  const want = input.map((p) => single.open(p.slice()));
  assert.equal(got.length, want.length);
  got.forEach((g, k) => {
    const w = want[k];
    assert.deepEqual([g.status, g.spi, g.seq, g.nextHeader, g.handle === 0], [w.status, w.spi, w.seq, w.nextHeader, w.handle === 0], `open ${k}`);
    assert.deepEqual(g.payload, w.payload, `payload ${k}`);
  });
  got.forEach((g, k) => {
    const expect = k === bad ? EspStatus.AuthFailed : k < items.length ? EspStatus.Ok : k === input.length - 1 ? EspStatus.Ok : EspStatus.Replay;
    assert.equal(g.status, expect, `status ${k}`);
    if (k < items.length && k !== bad) assert.deepEqual(g.payload, items[k].payload);
  });
  // The SA counters agree too (ok, bytes, auth, replay, malformed).
  ins.forEach(([a, b]) => {
    const [sa, sb] = [batch.stats(a), single.stats(b)];
    assert.deepEqual(sa, sb);
  });
});
