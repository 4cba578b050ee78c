import assert from "node:assert/strict";
import { createECDH, createHash, hkdfSync } from "node:crypto";
import { test } from "node:test";
import { sha384 } from "@noble/hashes/sha2.js";
import { SeededRng } from "../../src/core/rng.ts";
import { computeKij, generateDhKey } from "../../src/hip/dh.ts";
import { Keymat, drawEspKeys, drawHipKeys } from "../../src/hip/keymat.ts";
import { lowBitsZero, solvePuzzle, verifySolution } from "../../src/hip/puzzle.ts";
import { CIPHER_AES_128_CBC, CIPHER_AES_256_CBC, hipDecrypt, hipEncrypt } from "../../src/hip/suites.ts";

const hitA = Buffer.from("20010021000000000000000000000001", "hex");
const hitB = Buffer.from("20010022000000000000000000000002", "hex");

test("KEYMAT equals HKDF-SHA-384(salt=I|J, IKM=Kij, info=sort(HITs)) computed by node:crypto", () => {
  const rng = new SeededRng(11);
  const kij = rng.fill(new Uint8Array(48));
  const i = rng.fill(new Uint8Array(48));
  const j = rng.fill(new Uint8Array(48));
  const len = 700;
  const ref = new Uint8Array(hkdfSync("sha384", kij, Buffer.concat([i, j]), Buffer.concat([hitA, hitB]), len));
  // argument order of the HITs must not matter (sorted)
  const km1 = new Keymat(sha384, kij, hitB, hitA, i, j);
  const km2 = new Keymat(sha384, kij, hitA, hitB, i, j);
  assert.deepEqual(km1.slice(0, len), ref);
  assert.deepEqual(km2.slice(100, 250), ref.slice(100, 350));
  assert.equal(km1.slice(0, 255 * 48 + 1), undefined);
});

test("HIP and ESP keys: drawing order gl/lg, and each side's outbound is the other's inbound", () => {
  const rng = new SeededRng(12);
  const kij = rng.fill(new Uint8Array(32));
  const i = rng.fill(new Uint8Array(48));
  const j = rng.fill(new Uint8Array(48));
  const km = new Keymat(sha384, kij, hitA, hitB, i, j);
  const all = km.slice(0, 2 * (16 + 48) + 2 * (16 + 32))!;
  const g = drawHipKeys(km, 16, 48, true); // hitB is greater
  const l = drawHipKeys(km, 16, 48, false);
  assert.deepEqual(g.localEnc, all.slice(0, 16));
  assert.deepEqual(g.localMac, all.slice(16, 64));
  assert.deepEqual(g.peerEnc, all.slice(64, 80));
  assert.deepEqual(l.localMac, all.slice(80, 128));
  assert.deepEqual(g.localMac, l.peerMac);
  assert.equal(g.espIndex, 128);
  const eg = drawEspKeys(km, g.espIndex, 16, 32, true)!;
  const el = drawEspKeys(km, l.espIndex, 16, 32, false)!;
  assert.deepEqual(eg.outEnc, all.slice(128, 144));
  assert.deepEqual(eg.outAuth, all.slice(144, 176));
  assert.deepEqual(eg.outEnc, el.inEnc);
  assert.deepEqual(el.outAuth, eg.inAuth);
  assert.equal(eg.next, 224);
});

test("puzzle: solutions verify, K bits are zero, wrong J / HIT fails", () => {
  const rng = new SeededRng(13);
  const I = rng.fill(new Uint8Array(48));
  for (const k of [0, 1, 5, 10]) {
    const J = solvePuzzle(sha384, rng, I, hitA, hitB, k)!;
    assert.ok(J);
    assert.ok(verifySolution(sha384, I, hitA, hitB, J, k));
    const d = createHash("sha384").update(Buffer.concat([I, hitA, hitB, J])).digest();
    const low = BigInt(`0x${d.toString("hex")}`) & ((1n << BigInt(k)) - 1n);
    assert.equal(low, 0n);
  }
  const J = solvePuzzle(sha384, rng, I, hitA, hitB, 12)!;
  assert.ok(!verifySolution(sha384, I, hitB, hitA, J, 12));
  const J2 = J.slice();
  J2[47] ^= 0x01;
  assert.ok(!verifySolution(sha384, I, hitA, hitB, J2, 12));
  assert.ok(lowBitsZero(new Uint8Array([0xff, 0x00, 0x00]), 16));
  assert.ok(!lowBitsZero(new Uint8Array([0xff, 0x01, 0x00]), 9));
  assert.equal(solvePuzzle(sha384, rng, I, hitA, hitB, 40, 10), undefined);
});

for (const group of [7, 8]) {
  test(`DH group ${group}: Kij matches node:crypto ECDH and rejects off-curve values`, () => {
    const rng = new SeededRng(group);
    const a = generateDhKey(rng, group);
    const b = generateDhKey(rng, group);
    const kab = computeKij(a, b.publicValue)!;
    assert.deepEqual(kab, computeKij(b, a.publicValue));
    const ecdh = createECDH(group === 7 ? "prime256v1" : "secp384r1");
    ecdh.setPrivateKey(Buffer.from(a.secret));
    const ref = ecdh.computeSecret(Buffer.concat([Buffer.from([4]), b.publicValue]));
    assert.deepEqual(kab, new Uint8Array(ref));
    const bad = b.publicValue.slice();
    bad[5] ^= 1;
    assert.equal(computeKij(a, bad), undefined);
  });
}

test("HIP_CIPHER AES-CBC round trip and bad-key failure", () => {
  const rng = new SeededRng(14);
  for (const [id, klen] of [
    [CIPHER_AES_128_CBC, 16],
    [CIPHER_AES_256_CBC, 32],
  ]) {
    const key = rng.fill(new Uint8Array(klen));
    const plain = rng.fill(new Uint8Array(80));
    const enc = hipEncrypt(id, key, rng, plain);
    assert.equal(enc.length, 16 + 96);
    assert.deepEqual(hipDecrypt(id, key, enc), plain);
    const other = rng.fill(new Uint8Array(klen));
    const wrong = hipDecrypt(id, other, enc);
    assert.ok(wrong === undefined || wrong.length !== 80 || Buffer.compare(wrong, plain) !== 0);
  }
});
