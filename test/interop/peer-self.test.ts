// The independent interop peer against itself, both roles (brief: build and self-test the peer
// before trusting it against HipHost).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { concat, fromHex, hex } from "./peer/bytes.ts";
import { hipChecksum, inetChecksum } from "./peer/checksum.ts";
import { keymat, puzzleOk, solvePuzzle } from "./peer/kex.ts";
import { HIT_CONTEXT_ID, orchid } from "./peer/orchid.ts";
import { InteropPeer, type Loc } from "./peer/peer.ts";

const LI: Loc = { ip: "127.0.0.1", port: 10501 };
const LR: Loc = { ip: "127.0.0.2", port: 10502 };

function exchange(cfgI: object = {}, cfgR: object = {}) {
  const ini = new InteropPeer({ locator: LI, ...cfgI });
  const res = new InteropPeer({ locator: LR, ...cfgR });
  let q = [ini.i1(LR, res.hit)];
  for (let n = 0; n < 6 && q.length; n++) {
    const next = [];
    for (const d of q) next.push(...(d.to.ip === LR.ip ? res.handle(d.data, LI) : ini.handle(d.data, LR)));
    q = next;
  }
  return { ini, res };
}

test("RFC 1071 checksum example (§3: 0001 f203 f4f5 f6f7 → sum ddf2, checksum 220d)", () => {
  assert.equal(inetChecksum(fromHex("0001f203f4f5f6f7")), 0x220d);
});

test("ORCHIDv2 layout: 2001:20::/28, OGA 2, middle 96 bits of SHA-384(context | input)", () => {
  const input = new TextEncoder().encode("some host identity");
  const hit = orchid(2, "sha384", input);
  const d = createHash("sha384").update(concat(HIT_CONTEXT_ID, input)).digest();
  assert.equal(hex(hit).slice(0, 8), "20010022");
  assert.equal(hex(hit.subarray(4)), d.subarray(18, 30).toString("hex"));
  assert.equal(hex(HIT_CONTEXT_ID), "f0eff02fbff43d0fe7930c3c6e6174ea");
});

test("KEYMAT (HKDF-SHA-384, RFC 7401 §6.5) is role independent and prefix-stable", () => {
  const kij = new Uint8Array(32).fill(7);
  const a = new Uint8Array(16).fill(1);
  const b = new Uint8Array(16).fill(2);
  const k1 = keymat(kij, a, b, new Uint8Array(48), new Uint8Array(48), 100);
  const k2 = keymat(kij, b, a, new Uint8Array(48), new Uint8Array(48), 200);
  assert.deepEqual(k1, k2.subarray(0, 100)); // sort(HIT-I | HIT-R) makes it role independent
});

test("puzzle solve/verify", () => {
  const i = new Uint8Array(48).fill(9);
  const hi = new Uint8Array(16).fill(1);
  const hr = new Uint8Array(16).fill(2);
  const j = solvePuzzle(i, hi, hr, 10);
  assert.ok(puzzleOk(i, hi, hr, j, 10));
  assert.ok(!puzzleOk(i, hr, hi, j, 10) || !puzzleOk(i, hi, hr, new Uint8Array(48), 10));
});

test("checksum helper round-trip", () => {
  const { ini } = exchange();
  const i1 = ini.sent.I1;
  assert.equal(hipChecksum(i1, LI.ip, LR.ip), (i1[4] << 8) | i1[5]);
});

for (const [suite, cipher, counter] of [
  [13, 2, 5n],
  [1, 1, undefined],
] as const) {
  test(`peer ↔ peer: base exchange + ESP suite ${suite}, HIP_CIPHER ${cipher}, R1_COUNTER ${counter}`, () => {
    const { ini, res } = exchange({ espSuites: [suite], hipCiphers: [cipher] }, { espSuites: [suite, 1], hipCiphers: [cipher, 2], r1Counter: counter, dhGroups: [8, 7] });
    assert.deepEqual(ini.violations, []);
    assert.deepEqual(res.violations, []);
    assert.ok(ini.established);
    assert.equal(res.assoc?.state, "R2-SENT");
    assert.equal(ini.assoc?.dh?.group, 8);
    const esp = ini.sendData(1000, 2000, new TextEncoder().encode("hello responder"));
    const got = res.receiveData(esp);
    assert.ok(typeof got !== "string", String(got));
    assert.equal(new TextDecoder().decode(got.data), "hello responder");
    assert.equal(res.assoc?.state, "ESTABLISHED");
    const back = res.receiveData(esp);
    assert.equal(typeof back, "object"); // peer has no replay window; the product's data plane does
    const esp2 = res.sendData(2000, 1000, new Uint8Array(37).fill(1));
    const got2 = ini.receiveData(esp2);
    assert.ok(typeof got2 !== "string", String(got2));
    assert.equal(got2.data.length, 37);
  });
}

function freshR1() {
  const ini = new InteropPeer({ locator: LI });
  const res = new InteropPeer({ locator: LR });
  const [r1] = res.handle(ini.i1(LR, res.hit).data, LI);
  return { ini, r1: r1.data };
}

test("peer detects tampering: R1 fields inside / outside the HIP_SIGNATURE_2 coverage", () => {
  const a = freshR1();
  a.r1[4 + 40 + 20] ^= 1; // PUZZLE #I: zeroed in the HIP_SIGNATURE_2 input (§5.2.15), only the checksum breaks
  a.ini.handle(a.r1, LR);
  assert.deepEqual(a.ini.violations.map((v) => v.split(":")[0]), ["header(type 2)"], a.ini.violations.join("\n"));
  const b = freshR1();
  b.r1[4 + 40 + 56 + 4] ^= 1; // DH_GROUP_LIST value: covered by the signature
  b.ini.handle(b.r1, LR);
  assert.ok(b.ini.violations.some((v) => v.includes("checksum")));
  assert.ok(b.ini.violations.some((v) => v.includes("HIP_SIGNATURE_2 does not verify")));
});
