import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeBeetUdp, encodeBeetUdp } from "../../src/runtime/beet-udp.ts";

const H1 = new Uint8Array(16).fill(0x20);
const H2 = new Uint8Array(16).fill(0x21);

test("BEET inner UDP: round trip, HIT pseudo-header checksum, tamper and length checks", () => {
  const seg = encodeBeetUdp(H1, H2, 1234, 80, new TextEncoder().encode("odd length"));
  assert.equal(seg.length, 18);
  assert.deepEqual([...seg.subarray(0, 6)], [0x04, 0xd2, 0x00, 0x50, 0x00, 0x12]);
  const r = decodeBeetUdp(H1, H2, seg);
  assert.ok(r.ok);
  assert.deepEqual([r.srcPort, r.dstPort, new TextDecoder().decode(r.data)], [1234, 80, "odd length"]);
  // Independent check (RFC 1071): the one's-complement sum over pseudo-header + segment is 0xffff.
  let acc = 0;
  const words = (b: Uint8Array) => {
    for (let i = 0; i < b.length; i += 2) acc += (b[i] << 8) | (b[i + 1] ?? 0);
  };
  words(H1);
  words(H2);
  acc += seg.length + 17;
  words(seg);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  assert.equal(acc, 0xffff);
  // Another peer's HIT or a flipped bit fail; so does a zero checksum or a bad length.
  assert.deepEqual(decodeBeetUdp(new Uint8Array(16).fill(0x22), H2, seg), { ok: false, reason: "checksum" });
  const bad = seg.slice();
  bad[12] ^= 1;
  assert.deepEqual(decodeBeetUdp(H1, H2, bad), { ok: false, reason: "checksum" });
  const zero = seg.slice();
  zero[6] = 0;
  zero[7] = 0;
  assert.deepEqual(decodeBeetUdp(H1, H2, zero), { ok: false, reason: "checksum" });
  assert.deepEqual(decodeBeetUdp(H1, H2, seg.subarray(0, 17)), { ok: false, reason: "length" });
  assert.deepEqual(decodeBeetUdp(H1, H2, seg.subarray(0, 7)), { ok: false, reason: "truncated" });
});
