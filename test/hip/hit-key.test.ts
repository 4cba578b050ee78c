// hitKey: hex map keys for HITs, with a small cache of recent HITs (compared by content, so a
// buffer reused for another HIT never gets the old key).
import assert from "node:assert/strict";
import { test } from "node:test";
import { hitKey } from "../../src/hip/hit.ts";

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

test("hitKey is the hex of the bytes, also for a buffer mutated after it was keyed", () => {
  const h = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
  assert.equal(hitKey(h), hex(h));
  assert.equal(hitKey(h), hex(h)); // cached
  h[15] ^= 1;
  assert.equal(hitKey(h), hex(h));
  h[0] ^= 0x80;
  assert.equal(hitKey(h), hex(h));
});

test("hitKey stays right past the cache size and for other lengths", () => {
  const hits = Array.from({ length: 40 }, (_, k) => Uint8Array.from({ length: 16 }, (_, i) => (i * 31 + k * 7) & 0xff));
  for (let r = 0; r < 3; r++) for (const h of hits) assert.equal(hitKey(h), hex(h));
  const odd = Uint8Array.of(1, 2, 255);
  assert.equal(hitKey(odd), "0102ff");
  assert.equal(hitKey(new Uint8Array(0)), "");
});
