// ESP open of AES-128-CBC + HMAC-SHA-256-128 with the hash and the CBC decryption in one loop
// (assembly/crypto/cbc-stitch.ts): every ciphertext length around the loop's edges opens to what
// node:crypto sealed, with and without the stitching; a forged packet opened in place is left as
// it came (the decrypted prefix is encrypted back); the generated loop is what its generator writes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { EspBatch } from "../../src/esp/espbatch.ts";
import { EspStatus, EspSuite } from "../../src/esp/types.ts";
import { loadWasmSync } from "../../src/wasm/loader.ts";
// @ts-expect-error: a plain .mjs script without types
import { generate } from "../../scripts/gen-cbc-stitch.mjs";
import { bytes, nodeSeal, saPair } from "./helpers.ts";

const exports = loadWasmSync();
const setModes = exports.espSetAesVperm as (m: number) => void;
const DEFAULT = 1 | 4 | 8 | 16 | 32; // packet.ts vpModes
const NO_STITCH = DEFAULT & ~32;
const NO_MB = DEFAULT & ~16; // batches open packet by packet (in place, through openPacket)
const dp = new DataPlane(exports);

const LENGTHS = [...Array.from({ length: 200 }, (_, i) => i + 60), 300, 447, 448, 449, 511, 512, 777, 1000, 1358, 1400, 1450, 1500];

test("suite 8 packets open to node:crypto's plaintext at every length, stitched and not", () => {
  const [o, i] = saPair(EspSuite.AES128_CBC_SHA256, 0x8a00, 8);
  dp.installSa(i);
  let seq = 0;
  try {
    for (const n of LENGTHS) {
      const payload = bytes(n, n);
      for (const mode of [DEFAULT, NO_STITCH]) {
        setModes(mode);
        const pkt = nodeSeal(o, ++seq, bytes(16, seq), 17, payload);
        const r = dp.open(pkt);
        assert.equal(r.status, EspStatus.Ok, `len ${n} mode ${mode}`);
        assert.deepEqual(r.payload, payload, `len ${n} mode ${mode}`);
        assert.equal(r.nextHeader, 17);
      }
    }
  } finally {
    setModes(DEFAULT);
  }
});

test("a forged suite 8 packet opened in place is left byte for byte as it came", () => {
  const [o, i] = saPair(EspSuite.AES128_CBC_SHA256, 0x8b00, 9);
  dp.installSa(i);
  let seq = 0;
  setModes(NO_MB);
  try {
    for (const n of [100, 150, 200, 260, 777, 1400, 1500]) {
      const payload = bytes(n, n + 1);
      for (const where of ["icv", "ciphertext"] as const) {
        const pkt = nodeSeal(o, ++seq, bytes(16, seq), 17, payload);
        const forged = pkt.slice();
        forged[where === "icv" ? forged.length - 1 : 40] ^= 0x40;
        const batch = new EspBatch({ maxPackets: 2, byteLength: 2 * 32 + 2 * 1600 });
        const at = batch.reserveOpen(forged.length);
        batch.bytes.set(forged, at);
        batch.addOpen(pkt);
        dp.process("open", batch);
        assert.equal(batch.status(0), EspStatus.AuthFailed, `len ${n} ${where}`);
        assert.deepEqual(batch.bytes.subarray(at, at + forged.length), forged, `len ${n} ${where}: bytes untouched`);
        assert.equal(batch.status(1), EspStatus.Ok, `len ${n}: the genuine packet after it`);
        assert.deepEqual(batch.data(1), payload);
      }
    }
  } finally {
    setModes(DEFAULT);
  }
});

test("assembly/crypto/cbc-stitch.gen.ts is what scripts/gen-cbc-stitch.mjs writes", () => {
  const file = readFileSync(new URL("../../assembly/crypto/cbc-stitch.gen.ts", import.meta.url), "utf8");
  assert.equal(file, generate(), "rerun: node scripts/gen-cbc-stitch.mjs");
});
