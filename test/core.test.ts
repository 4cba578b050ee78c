import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesToIp, ipToBytes } from "../src/core/addr.ts";
import { SeededRng } from "../src/core/rng.ts";
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
