// Differential tests against node:crypto: hashes, HMAC, AES-CBC, AES-GCM on random keys and
// lengths 0..9000, and ESP packets sealed by us / opened by an independent node:crypto codec
// and the other way round.
import assert from "node:assert/strict";
import { type CipherGCM, createCipheriv, createHash, createHmac } from "node:crypto";
import { test } from "node:test";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { EspStatus, EspSuite } from "../../src/esp/types.ts";
import { bytes, nodeOpen, nodeSeal, SUITES, saPair } from "./helpers.ts";
import "../../src/wasm/node-features.ts"; // relaxed SIMD on Node 20 (the Node entry points do the same)
import { loadWasmSync, wasmBytes } from "../../src/wasm/loader.ts";
import { WASM_VARIANTS } from "./helpers.ts";

// Both builds of the module (src/wasm/embedded.ts): the relaxed-SIMD one must compute the same bytes.
for (const variant of WASM_VARIANTS) {
  const dp = new DataPlane(loadWasmSync(wasmBytes(variant)));
  const c = dp.crypto;
  const LENGTHS = [0, 1, 15, 16, 17, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 1400, 4095, 9000];
  const randomLengths = Array.from({ length: 12 }, (_, i) => bytes(2, 77 + i).reduce((a, b) => a * 256 + b) % 9001);
  const hx = (u: Uint8Array): string => Buffer.from(u).toString("hex");

  test(`${variant}: SHA-1/SHA-256/HMAC match node:crypto for lengths 0..9000`, () => {
    for (const [i, n] of [...LENGTHS, ...randomLengths].entries()) {
      const d = bytes(n, i);
      const key = bytes(1 + (i * 37) % 150, i + 500);
      assert.equal(hx(c.sha1(d)), createHash("sha1").update(d).digest("hex"), `sha1 ${n}`);
      assert.equal(hx(c.sha256(d)), createHash("sha256").update(d).digest("hex"), `sha256 ${n}`);
      assert.equal(hx(c.hmacSha1(key, d)), createHmac("sha1", key).update(d).digest("hex"), `hmac-sha1 ${n}`);
      assert.equal(hx(c.hmacSha256(key, d)), createHmac("sha256", key).update(d).digest("hex"), `hmac-sha256 ${n}`);
    }
    // Larger than the 64 KiB I/O chunk: streamed through several updates.
    const big = bytes(200_003, 9);
    assert.equal(hx(c.sha256(big)), createHash("sha256").update(big).digest("hex"));
  });

  test(`${variant}: AES-CBC and AES-GCM match node:crypto on random keys and lengths`, () => {
    for (const [i, n] of [...LENGTHS, ...randomLengths].entries()) {
      for (const kl of [16, 24, 32]) {
        const key = bytes(kl, i * 3 + kl);
        const iv = bytes(16, i + 99);
        const d16 = bytes(n & ~15, i + 7);
        const e = createCipheriv(`aes-${kl * 8}-cbc`, key, iv).setAutoPadding(false);
        const want = Buffer.concat([e.update(d16), e.final()]);
        assert.equal(hx(c.aesCbcEncrypt(key, iv, d16)), want.toString("hex"), `cbc ${kl} ${n}`);
        assert.equal(hx(c.aesCbcDecrypt(key, iv, new Uint8Array(want))), hx(d16));
        const d = bytes(n, i + 8);
        const aad = bytes(i % 40, i + 9);
        const g = createCipheriv(`aes-${kl * 8}-gcm`, key, iv.subarray(0, 12)) as CipherGCM;
        g.setAAD(aad);
        const gw = Buffer.concat([g.update(d), g.final(), g.getAuthTag()]);
        assert.equal(hx(c.aesGcmSeal(key, iv.subarray(0, 12), aad, d)), gw.toString("hex"), `gcm ${kl} ${n}`);
      }
    }
  });

  test(`${variant}: ESP packets sealed in WASM open with node:crypto, and the reverse`, () => {
    let spi = 0x1000;
    for (const suite of SUITES) {
      for (const [i, n] of [0, 1, 2, 3, 13, 14, 15, 16, 100, 1400, 8999].entries()) {
        const [outP, inP] = saPair(suite, ++spi, i + suite * 100);
        const o = dp.installSa(outP);
        const h = dp.installSa(inP);
        const payload = bytes(n, i + 3);
        const pkt = dp.seal(o, 17, payload);
        assert.ok(pkt.length > 0);
        assert.equal((pkt.length - 8) % 4, 0, "4-byte alignment (RFC 4303 §2.4)");
        const got = nodeOpen(outP, pkt);
        assert.ok(got, `node opens suite ${suite} len ${n}`);
        assert.equal(got.seq, 1);
        assert.equal(got.nextHeader, 17);
        assert.equal(hx(got.payload), hx(payload));
        // node-built packet with an arbitrary IV opens in WASM.
        const ivBytes = bytes(suite === EspSuite.AES_GCM16 ? 8 : 16, i);
        const theirs = nodeSeal(inP, 7, ivBytes, 6, payload);
        const r = dp.open(theirs);
        assert.equal(r.status, EspStatus.Ok, `wasm opens node packet suite ${suite} len ${n}`);
        assert.equal(r.seq, 7);
        assert.equal(r.nextHeader, 6);
        assert.equal(r.handle, h);
        assert.equal(hx(r.payload), hx(payload));
        dp.removeSa(o);
        dp.removeSa(h);
      }
    }
  });
}
