// The BEET UDP fast path (RFC 7402 §3.1): DataPlane.sealUdp writes the UDP header and its
// checksum (RFC 768 over the HIT pseudo-header, RFC 8200 §8.1) in WASM; DataPlane.open reports
// the payload's RFC 1071 sum. Both must agree with the plain JS encoding / check.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { EspBatch } from "../../src/esp/espbatch.ts";
import { EspStatus } from "../../src/esp/types.ts";
import { decodeBeetUdp, encodeBeetUdp, pseudoSum } from "../../src/runtime/beet-udp.ts";
import { pseudoHeaderSum } from "../../src/wire/icmpv6.ts";
import { bytes, SUITES, saPair } from "./helpers.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const dp = new DataPlane();
const hitA = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 1 ? 0x01 : 0x10 + i * 13));
const hitB = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 1 ? 0x01 : 0xf0 - i * 7));
let spi = 0x7100;

test("sealUdp equals encodeBeetUdp + sealOne for every suite, sizes 0..2000 (odd, even, SIMD tails)", () => {
  for (const suite of SUITES) {
    const [o, i] = saPair(suite, ++spi, spi);
    const out = dp.installSa(o);
    dp.installSa(i);
    for (const n of [0, 1, 2, 7, 23, 24, 25, 31, 32, 33, 63, 64, 65, 255, 256, 1391, 1392, 2000]) {
      const data = bytes(n, n + suite);
      const r = dp.sealUdp(out, pseudoSum(hitA, hitB, n + 8), 4242, 53, data);
      assert.equal(r.status, EspStatus.Ok);
      const opened = dp.open(r.packet);
      assert.equal(opened.status, EspStatus.Ok);
      assert.equal(opened.nextHeader, 17);
      assert.deepEqual(opened.payload, encodeBeetUdp(hitA, hitB, 4242, 53, data), `suite ${suite} n ${n}`);
      // The sum the data plane reports is the segment's own RFC 1071 sum.
      let want = 0;
      for (let k = 0; k + 1 < opened.payload.length; k += 2) want += (opened.payload[k] << 8) | opened.payload[k + 1];
      if (opened.payload.length & 1) want += opened.payload[opened.payload.length - 1] << 8;
      while (want > 0xffff) want = (want & 0xffff) + (want >>> 16);
      assert.equal(opened.payloadSum, want, `sum n ${n}`);
      const u = decodeBeetUdp(hitB, hitA, opened.payload, opened.payloadSum);
      assert.ok(u.ok && u.srcPort === 4242 && u.dstPort === 53);
      assert.deepEqual(u.ok && u.data, data);
    }
  }
});

test("decodeBeetUdp with a data-plane sum rejects exactly what the JS check rejects", () => {
  const seg = encodeBeetUdp(hitA, hitB, 1, 2, bytes(301, 5));
  for (let bit = 0; bit < seg.length * 8; bit += 7) {
    const bad = seg.slice();
    bad[bit >> 3] ^= 1 << (bit & 7);
    let s = 0;
    for (let k = 0; k + 1 < bad.length; k += 2) s += (bad[k] << 8) | bad[k + 1];
    if (bad.length & 1) s += bad[bad.length - 1] << 8;
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    assert.deepEqual(decodeBeetUdp(hitA, hitB, bad, s), decodeBeetUdp(hitA, hitB, bad), `bit ${bit}`);
  }
  // Wrong pseudo-header (HITs swapped into another pair) fails either way.
  assert.equal(decodeBeetUdp(hitA, hitA, seg).ok, false);
});

test("a computed checksum of 0 goes out as 0xffff (RFC 768)", () => {
  // Find a payload whose checksum computes to 0: adjust two bytes until it does.
  const [o, i] = saPair(13, ++spi, spi);
  const out = dp.installSa(o);
  dp.installSa(i);
  const data = new Uint8Array(10);
  for (let v = 0; v < 65536; v++) {
    data[8] = v >>> 8;
    data[9] = v & 0xff;
    const seg = encodeBeetUdp(hitA, hitB, 7, 9, data);
    const sum = pseudoHeaderSum(hitA, hitB, 17, seg.fill(0, 6, 8));
    if ((~sum & 0xffff) !== 0) continue;
    const opened = dp.open(dp.sealUdp(out, pseudoSum(hitA, hitB, 18), 7, 9, data).packet);
    assert.equal(opened.payload[6], 0xff);
    assert.equal(opened.payload[7], 0xff);
    assert.ok(decodeBeetUdp(hitB, hitA, opened.payload, opened.payloadSum).ok);
    return;
  }
  assert.fail("no payload with checksum 0 found");
});

/** RFC 1071 over a segment, byte by byte (the reference for the data plane's sums). */
function onesSum(b: Uint8Array): number {
  let s = 0;
  for (let k = 0; k + 1 < b.length; k += 2) s += (b[k] << 8) | b[k + 1];
  if (b.length & 1) s += b[b.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

test("batches: addSealUdp fills the checksum in WASM (= encodeBeetUdp) and open batches report the payload sum, every suite, multi-buffer HMAC included", () => {
  const sizes = [0, 1, 2, 7, 23, 24, 25, 31, 32, 33, 63, 64, 65, 255, 256, 1391, 1392, 1400];
  for (const suite of SUITES) {
    const [o, i] = saPair(suite, ++spi, spi);
    const out = dp.installSa(o);
    dp.installSa(i);
    const seal = new EspBatch({ maxPackets: 32 });
    for (const n of sizes) {
      const seg = encodeBeetUdp(hitA, hitB, 4242, 53, bytes(n, n + suite)).slice();
      seg[6] = 0xde; // the data plane overwrites whatever the checksum field holds
      seg[7] = 0xad;
      assert.ok(seal.addSealUdp(out, pseudoSum(hitA, hitB, n + 8), seg) >= 0);
    }
    const short = seal.addSealUdp(out, 0, new Uint8Array(7)); // shorter than a UDP header
    dp.process("seal", seal);
    assert.equal(seal.status(short), EspStatus.Malformed);
    const open = new EspBatch({ maxPackets: 32 });
    sizes.forEach((_, k) => {
      assert.equal(seal.status(k), EspStatus.Ok, `suite ${suite} seal ${k}`);
      open.addOpen(seal.data(k));
    });
    dp.process("open", open);
    sizes.forEach((n, k) => {
      const want = encodeBeetUdp(hitA, hitB, 4242, 53, bytes(n, n + suite));
      assert.equal(open.status(k), EspStatus.Ok, `suite ${suite} open ${k}`);
      assert.equal(open.nextHeader(k), 17);
      assert.deepEqual(open.data(k), want, `suite ${suite} n ${n}`);
      assert.equal(open.payloadSum(k), onesSum(want), `suite ${suite} sum n ${n}`);
      const u = decodeBeetUdp(hitB, hitA, open.data(k), open.payloadSum(k));
      assert.ok(u.ok && u.srcPort === 4242 && u.dstPort === 53, `suite ${suite} n ${n}`);
    });
    // Plain seals in a batch keep their next header and no sum bits leak into it.
    const plain = new EspBatch({ maxPackets: 2 });
    plain.addSeal(out, 58, bytes(40, 3));
    dp.process("seal", plain);
    const back = dp.open(plain.data(0));
    assert.equal(back.nextHeader, 58);
    assert.deepEqual(back.payload, bytes(40, 3));
  }
});
