// ESP data plane behaviour (RFC 4303): every flipped bit is rejected, replay window, reordering,
// sequence exhaustion, unknown SPI, malformed packets, batches, SA removal, stats.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { EspStatus, EspSuite } from "../../src/esp/types.ts";
import { bytes, SUITES, saPair } from "./helpers.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const dp = new DataPlane();
let nextSpi = 0x5000;
function pair(suite: EspSuite, extra = {}) {
  const [o, i] = saPair(suite, ++nextSpi, nextSpi, extra);
  return { out: dp.installSa(o), inb: dp.installSa(i), spi: nextSpi };
}

test("every single flipped bit of a sealed packet is rejected, nothing delivered", () => {
  for (const suite of SUITES) {
    const { out, inb } = pair(suite);
    const pkt = dp.seal(out, 17, bytes(40, suite));
    for (let bit = 0; bit < pkt.length * 8; bit++) {
      const bad = pkt.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      const r = dp.open(bad);
      assert.notEqual(r.status, EspStatus.Ok, `suite ${suite} bit ${bit}`);
      assert.equal(r.payload.length, 0);
    }
    // The untouched packet still opens afterwards (failures did not advance the window).
    assert.equal(dp.open(pkt).status, EspStatus.Ok);
    const st = dp.stats(inb)!;
    assert.equal(st.packets, 1);
    assert.ok(st.authFailures > 0);
  }
});

test("replays and too-old packets are dropped; reordered packets inside the window accepted once", () => {
  for (const suite of [EspSuite.AES128_CBC_SHA1, EspSuite.AES_GCM16]) {
    const { out, inb } = pair(suite, { replayWindow: 1024 });
    const pkts = Array.from({ length: 1100 }, (_, k) => dp.seal(out, 17, bytes(8, k)));
    // Deliver 1100 first (window right edge = 1100), then the rest in reverse order.
    assert.equal(dp.open(pkts[1099]).status, EspStatus.Ok);
    assert.equal(dp.open(pkts[1099]).status, EspStatus.Replay);
    let ok = 0;
    let replay = 0;
    for (let k = 1098; k >= 0; k--) {
      const st = dp.open(pkts[k]).status;
      if (st === EspStatus.Ok) ok++;
      else if (st === EspStatus.Replay) replay++;
    }
    // seq s is accepted iff s > 1100 - 1024 = 76, i.e. seq 77..1099 → 1023 packets.
    assert.equal(ok, 1023);
    assert.equal(replay, 76);
    for (let k = 0; k < 1100; k += 97) assert.equal(dp.open(pkts[k]).status, EspStatus.Replay);
    assert.equal(dp.stats(inb)!.seq, 1100);
  }
});

test("shuffled delivery inside the window: each packet accepted exactly once", () => {
  const { out } = pair(EspSuite.AES128_CBC_SHA256, { replayWindow: 2048 });
  const pkts = Array.from({ length: 2000 }, (_, k) => dp.seal(out, 17, bytes(3, k)));
  const order = pkts.map((_, k) => k);
  const rnd = bytes(order.length * 2, 5);
  for (let k = order.length - 1; k > 0; k--) {
    const j = ((rnd[2 * k] << 8) | rnd[2 * k + 1]) % (k + 1);
    [order[k], order[j]] = [order[j], order[k]];
  }
  const seen = new Set<number>();
  for (const k of [...order, ...order.slice(0, 300)]) {
    const r = dp.open(pkts[k]);
    if (r.status === EspStatus.Ok) {
      assert.ok(!seen.has(r.seq), `seq ${r.seq} delivered twice`);
      seen.add(r.seq);
    } else assert.equal(r.status, EspStatus.Replay);
  }
  assert.equal(seen.size, 2000);
});

test("sequence number exhaustion returns Rekey instead of wrapping (RFC 4303 §3.3.3)", () => {
  const { out } = pair(EspSuite.AES_GCM16, { initialSeq: 0xfffffffd });
  assert.equal(dp.sealOne(out, 17, bytes(4, 1)).seq, 0xfffffffe);
  assert.equal(dp.sealOne(out, 17, bytes(4, 2)).seq, 0xffffffff);
  const r = dp.sealOne(out, 17, bytes(4, 3));
  assert.equal(r.status, EspStatus.Rekey);
  assert.equal(r.packet.length, 0);
  assert.equal(dp.seal(out, 17, bytes(4, 3)).length, 0);
  assert.equal(dp.lastStatus, EspStatus.Rekey);
  assert.equal(dp.stats(out)!.rekeys, 2);
});

test("unknown SPI, malformed packets, bad handles, seal with inbound SA", () => {
  const { out, inb, spi } = pair(EspSuite.AES128_CBC_SHA1);
  const pkt = dp.seal(out, 17, bytes(20, 1));
  const other = pkt.slice();
  other[3] ^= 0xff;
  assert.equal(dp.open(other).status, EspStatus.UnknownSpi);
  assert.equal(dp.open(pkt.subarray(0, 7)).status, EspStatus.Malformed);
  assert.equal(dp.open(pkt.subarray(0, pkt.length - 1)).status, EspStatus.Malformed);
  assert.equal(dp.sealOne(inb, 17, bytes(4, 1)).status, EspStatus.BadSa);
  assert.equal(dp.sealOne(9999, 17, bytes(4, 1)).status, EspStatus.BadSa);
  assert.equal(dp.lookupSpi(spi), inb);
  assert.throws(() => dp.installSa(saPair(EspSuite.AES128_CBC_SHA1, spi)[1]), /already installed/);
  assert.throws(() => dp.installSa({ ...saPair(EspSuite.AES128_CBC_SHA1, 1)[0], authKey: new Uint8Array(3) }), /bad SA/);
  // After removal the SPI is unknown and the handle is dead.
  assert.ok(dp.removeSa(inb));
  assert.equal(dp.open(pkt).status, EspStatus.UnknownSpi);
  assert.equal(dp.stats(inb), undefined);
  assert.equal(dp.removeSa(inb), false);
});

test("authentic packet with bad padding bytes is Malformed (RFC 4303 §2.4)", () => {
  const [o, i] = saPair(EspSuite.NULL_SHA256, ++nextSpi, 3);
  const inb = dp.installSa(i);
  const out = dp.installSa(o);
  // NULL suite: the trailer is in the clear; fix the ICV after editing with a fresh HMAC.
  const pkt = dp.seal(out, 17, bytes(5, 9)); // 5 + 2 → pad 1 → trailer 01 01 11
  const body = pkt.slice(0, pkt.length - 16);
  body[8 + 5] = 2; // padding byte must be 1
  const icv = dp.crypto.hmacSha256(o.authKey, body).subarray(0, 16);
  const bad = new Uint8Array([...body, ...icv]);
  assert.equal(dp.open(bad).status, EspStatus.Malformed);
  assert.equal(dp.stats(inb)!.malformed, 1);
});

test("batch seal/open: per-packet statuses without exceptions", () => {
  const a = pair(EspSuite.AES_GCM16);
  const b = pair(EspSuite.AES256_CBC_SHA256);
  const sealed = dp.sealBatch([
    { handle: a.out, nextHeader: 17, payload: bytes(100, 1) },
    { handle: b.out, nextHeader: 6, payload: bytes(1400, 2) },
    { handle: a.inb, nextHeader: 17, payload: bytes(5, 3) },
    { handle: a.out, nextHeader: 17, payload: bytes(0, 4) },
  ]);
  assert.deepEqual(sealed.map((r) => r.status), [EspStatus.Ok, EspStatus.Ok, EspStatus.BadSa, EspStatus.Ok]);
  assert.deepEqual(sealed.map((r) => r.seq), [1, 1, 0, 2]);
  const tampered = sealed[1].packet.slice();
  tampered[30] ^= 4;
  const opened = dp.openBatch([sealed[0].packet, tampered, sealed[3].packet, sealed[0].packet, bytes(3, 1), bytes(64, 2)]);
  assert.deepEqual(
    opened.map((r) => r.status),
    [EspStatus.Ok, EspStatus.AuthFailed, EspStatus.Ok, EspStatus.Replay, EspStatus.Malformed, EspStatus.UnknownSpi],
  );
  assert.deepEqual(opened[0].payload, bytes(100, 1));
  assert.equal(opened[2].payload.length, 0);
  assert.equal(opened[2].nextHeader, 17);
  // A large batch grows the arena once and still works.
  const many = Array.from({ length: 64 }, (_, k) => ({ handle: b.out, nextHeader: 17, payload: bytes(9000, k) }));
  const res = dp.openBatch(dp.sealBatch(many).map((r) => r.packet));
  assert.ok(res.every((r, k) => r.status === EspStatus.Ok && r.payload.length === 9000 && r.payload[5] === many[k].payload[5]));
});

test("IVs: CBC IVs differ per packet and are deterministic per ivSeed; GCM IV is a counter", () => {
  const [o] = saPair(EspSuite.AES128_CBC_SHA1, 0x77, 4);
  const d1 = new DataPlane();
  const d2 = new DataPlane();
  const h1 = d1.installSa(o);
  const h2 = d2.installSa(o);
  const p1 = d1.seal(h1, 17, bytes(10, 1));
  const p2 = d1.seal(h1, 17, bytes(10, 1));
  assert.notDeepEqual(p1.subarray(8, 24), p2.subarray(8, 24));
  assert.deepEqual(d2.seal(h2, 17, bytes(10, 1)), p1);
  const g = d1.installSa({ ...saPair(EspSuite.AES_GCM16, 0x78, 5)[0], ivSeed: undefined });
  const g1 = d1.seal(g, 17, bytes(1, 1));
  const g2 = d1.seal(g, 17, bytes(1, 1));
  assert.deepEqual([...g1.subarray(8, 16)], [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual([...g2.subarray(8, 16)], [0, 0, 0, 0, 0, 0, 0, 2]);
});
