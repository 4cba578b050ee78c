import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { bytesToIp, bytesToIpAt, ipToBytes } from "../src/core/addr.ts";
import { SeededRng } from "../src/core/rng.ts";
import { carveRoom, Slab } from "../src/core/slab.ts";
import { loadWasmSync } from "../src/wasm/loader.ts";

test("address text round trips, IPv4 maps to ::ffff:0:0/96", () => {
  for (const ip of ["127.0.0.1", "::1", "2001:db8::1", "fe80::1:2:3:4", "2001:20:1:2:3:4:5:6", "::"]) {
    const b = ipToBytes(ip);
    assert.ok(b, ip);
    assert.equal(bytesToIp(b), ip);
  }
  assert.deepEqual([...ipToBytes("10.1.2.3")!.subarray(10)], [0xff, 0xff, 10, 1, 2, 3]);
  assert.equal(bytesToIp(ipToBytes("::ffff:10.1.2.3")!), "10.1.2.3");
  for (const bad of ["1.2.3", "256.1.1.1", "1::2::3", "12345::", "a.b.c.d", "1:2:3:4:5:6:7:8:9"]) {
    assert.equal(ipToBytes(bad), undefined, bad);
  }
});

/** RFC 5952 §4 text by the book: lower-case hex words, no leading zeros, the longest run of two
 * or more zero words as "::" (the first on a tie), IPv4-mapped as dotted quad (our convention). */
function rfc5952(b: Uint8Array): string {
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return [...b.subarray(12)].join(".");
  const w = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let best = [-1, 1];
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > best[1]) best = [i, j - i];
  }
  const hex = w.map((x) => x.toString(16));
  if (best[0] < 0) return hex.join(":");
  return `${hex.slice(0, best[0]).join(":")}::${hex.slice(best[0] + best[1]).join(":")}`;
}

test("bytesToIpAt gives RFC 5952 text at any offset and round trips (zero-heavy random addresses)", () => {
  const word = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffff }));
  const addr = fc.oneof(
    fc.array(word, { minLength: 8, maxLength: 8 }).map((ws) => Uint8Array.from(ws.flatMap((x) => [x >> 8, x & 0xff]))),
    fc.uint8Array({ minLength: 4, maxLength: 4 }).map((v4) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4])),
  );
  fc.assert(
    fc.property(addr, fc.nat(7), (a, pad) => {
      const buf = new Uint8Array(pad + 16 + 3).fill(0xee);
      buf.set(a, pad);
      const text = bytesToIpAt(buf, pad);
      assert.equal(text, rfc5952(a));
      assert.equal(bytesToIp(a), text);
      assert.deepEqual(ipToBytes(text), a);
    }),
    { numRuns: 20_000, seed: 5952 },
  );
});

test("seeded rng is deterministic per seed", () => {
  const a = new SeededRng(7).fill(new Uint8Array(33));
  const b = new SeededRng(7).fill(new Uint8Array(33));
  const c = new SeededRng(8).fill(new Uint8Array(33));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("wasm module loads in node and answers", () => {
  const w = loadWasmSync();
  assert.equal(w.abiVersion(), 1);
});

test("Slab: copies and fresh rooms are independent zero-initialised views, across chunk boundaries and above the carve limit", () => {
  const slab = new Slab(1024);
  const views: { v: Uint8Array; fill: number }[] = [];
  const src = new Uint8Array(5000).map((_, i) => i & 0xff);
  for (let k = 0; k < 200; k++) {
    const n = (k * 37) % 700;
    if (k % 2 === 0) {
      const v = slab.alloc(n);
      assert.equal(v.length, n);
      assert.ok(v.every((b) => b === 0), `room ${k} is zeroed`);
      v.fill(k & 0xff);
      views.push({ v, fill: k & 0xff });
    } else {
      const v = slab.copy(src, k, k + n);
      assert.deepEqual(v, src.slice(k, k + n));
      views.push({ v, fill: -1 });
    }
  }
  // Nothing later overwrote an earlier view.
  views.forEach(({ v, fill }, k) => {
    if (fill >= 0) assert.ok(v.every((b) => b === fill), `room ${k} kept`);
    else assert.ok(v.every((b, i) => b === ((k + i) & 0xff)), `copy ${k} kept`);
  });
  const big = slab.alloc(5000);
  assert.equal(big.length, 5000);
  assert.equal(big.byteOffset, 0);
  assert.equal(carveRoom(3).length, 3);
});
