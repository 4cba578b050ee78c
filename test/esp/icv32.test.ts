// Per-SA ICV length (SaParams.icvLen, WASM espSaSetIcvLen): 32 = the untruncated HMAC-SHA-256,
// the cutehip peer profile's deviation (docs/PROTOCOL.md §11.5); 16 stays the default.
import assert from "node:assert/strict";
import { createDecipheriv, createHmac } from "node:crypto";
import { test } from "node:test";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { EspStatus, EspSuite } from "../../src/esp/types.ts";
import { bytes, saPair } from "./helpers.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

for (const suite of [EspSuite.AES128_CBC_SHA256, EspSuite.AES256_CBC_SHA256, EspSuite.NULL_SHA256]) {
  test(`suite ${suite}, icvLen 32: the ICV is the whole HMAC-SHA-256 (node:crypto), opened only by a 32-byte SA`, () => {
    const a = new DataPlane();
    const b = new DataPlane();
    const c = new DataPlane();
    const [o, i] = saPair(suite, 0x5100 + suite, suite, { icvLen: 32 });
    const ho = a.installSa(o);
    b.installSa(i);
    c.installSa({ ...i, icvLen: undefined }); // the same keys with the RFC 4868 16-byte ICV
    const payload = bytes(45, 7);
    const pkt = a.seal(ho, 17, payload);
    const ivLen = suite === EspSuite.NULL_SHA256 ? 0 : 16;
    const ctLen = 48; // 45 + padding + pad length + next header, to 16 (CBC) or 4 (NULL) bytes
    assert.equal(pkt.length, 8 + ivLen + ctLen + 32);
    const mac = createHmac("sha256", Buffer.from(o.authKey)).update(pkt.subarray(0, pkt.length - 32)).digest();
    assert.deepEqual(Buffer.from(pkt.subarray(pkt.length - 32)), mac);
    if (ivLen) {
      const d = createDecipheriv(`aes-${o.encKey.length * 8}-cbc`, Buffer.from(o.encKey), Buffer.from(pkt.subarray(8, 24))).setAutoPadding(false);
      const plain = Buffer.concat([d.update(pkt.subarray(24, pkt.length - 32)), d.final()]);
      assert.deepEqual(new Uint8Array(plain.subarray(0, 45)), payload);
    }
    const r = b.open(pkt);
    assert.equal(r.status, EspStatus.Ok);
    assert.deepEqual(r.payload, payload);
    assert.notEqual(c.open(pkt).status, EspStatus.Ok);
  });
}

test("icvLen 32 is refused for AES-GCM and HMAC-SHA1 suites", () => {
  const d = new DataPlane();
  for (const suite of [EspSuite.AES_GCM16, EspSuite.AES128_CBC_SHA1]) {
    const [o] = saPair(suite, 0x5200 + suite, suite, { icvLen: 32 });
    assert.throws(() => d.installSa(o), /ICV length 32/);
  }
});
