// A forged packet opened in place (EspBatch) is left as it arrived: the GCM path decrypts while
// it hashes (assembly/crypto/gcm-stitch.ts) and the CBC path may use the vector-permute AES,
// so a failed ICV check must restore the ciphertext. Sizes cover the 4-, 2- and 1-block loops.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { EspBatch } from "../../src/esp/espbatch.ts";
import { EspStatus } from "../../src/esp/types.ts";
import { bytes, SUITES, saPair } from "./helpers.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

test("forged packets fail authentication and stay byte-identical in the batch; genuine ones open", () => {
  const dp = new DataPlane();
  let spi = 0x7a00;
  for (const suite of SUITES) {
    for (const n of [30, 100, 1400]) {
      const [o, i] = saPair(suite, ++spi, n + suite);
      const out = dp.installSa(o);
      dp.installSa(i);
      const payload = bytes(n, n + suite);
      const pkt = dp.seal(out, 17, payload);
      const forged = pkt.slice();
      forged[forged.length - 1] ^= 0x40; // last ICV byte
      const batch = new EspBatch({ maxPackets: 2, byteLength: 2 * 32 + 2 * 1600 });
      const at = batch.reserveOpen(forged.length);
      batch.bytes.set(forged, at);
      batch.addOpen(pkt);
      dp.process("open", batch);
      assert.equal(batch.status(0), EspStatus.AuthFailed, `suite ${suite} len ${n}`);
      assert.deepEqual(batch.bytes.subarray(at, at + forged.length), forged, `suite ${suite} len ${n}: forged bytes untouched`);
      assert.equal(batch.status(1), EspStatus.Ok);
      assert.deepEqual(batch.data(1), payload);
    }
  }
});
