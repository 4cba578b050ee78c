// ESP check page (test/browser/esp.test.ts): published vectors through the in-page WASM,
// then a batch sealed/opened in the ESP Worker compared byte for byte with the in-page DataPlane.
import { DataPlane } from "../../src/esp/dataplane.ts";
import { EspBatch } from "../../src/esp/espbatch.ts";
import { WorkerDataPlane } from "../../src/esp/remote.ts";
import { EspStatus, EspSuite, type SaParams } from "../../src/esp/types.ts";
import { loadWasm } from "../../src/wasm/loader.ts";

export interface EspCheck {
  ok: boolean;
  vectors: Record<string, boolean>;
  workerSame: boolean;
  statuses: number[];
  /** EspBatches through WorkerDataPlane.process: its mode ("ring" when crossOriginIsolated) and results. */
  batches?: { mode: string; ok: number; openedInPage: number };
  error?: string;
}

declare global {
  interface Window {
    hipmmEsp?: EspCheck;
  }
}

const hex = (u: Uint8Array): string => Array.from(u, (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

async function check(): Promise<EspCheck> {
  const dp = new DataPlane(await loadWasm());
  const c = dp.crypto;
  const gcmP = unhex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
  );
  const vectors = {
    sha256: hex(c.sha256(ascii("abc"))) === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    hmacSha1: hex(c.hmacSha1(new Uint8Array(20).fill(0x0b), ascii("Hi There"))) === "b617318655057264e28bc0b6fb378c8ef146be00",
    cbc:
      hex(c.aesCbcEncrypt(unhex("2b7e151628aed2a6abf7158809cf4f3c"), unhex("000102030405060708090a0b0c0d0e0f"), unhex("6bc1bee22e409f96e93d7e117393172a"))) ===
      "7649abac8119b246cee98e9b12e9197d",
    gcm: hex(c.aesGcmSeal(unhex("feffe9928665731c6d6a8f9467308308"), unhex("cafebabefacedbaddecaf888"), new Uint8Array(0), gcmP)).endsWith(
      "4d5c2af327cd64a62cf35abd2ba6fab4",
    ),
  };
  const worker = new Worker(new URL("../../src/esp/worker.ts", import.meta.url), { type: "module" });
  const w = await WorkerDataPlane.create({ worker });
  try {
    const sa: Omit<SaParams, "direction"> = {
      spi: 0x1234,
      suite: EspSuite.AES_GCM16,
      encKey: new Uint8Array(20).fill(5),
      authKey: new Uint8Array(0),
      ivSeed: new Uint8Array(16).fill(6),
    };
    const wo = await w.installSa({ ...sa, direction: "out" });
    await w.installSa({ ...sa, direction: "in" });
    const lo = dp.installSa({ ...sa, direction: "out" });
    const payloads = Array.from({ length: 64 }, (_, k) => new Uint8Array(k * 20).fill(k));
    const sealed = await w.sealBatch(payloads.map((payload) => ({ handle: wo, nextHeader: 17, payload })));
    const workerSame = sealed.every((r, k) => hex(r.packet) === hex(dp.seal(lo, 17, payloads[k])));
    const bad = sealed[1].packet.slice();
    bad[20] ^= 1;
    const opened = await w.openBatch([sealed[0].packet, bad, sealed[2].packet, sealed[0].packet]);
    const statuses = opened.map((r) => r.status);
    const ok =
      Object.values(vectors).every(Boolean) &&
      workerSame &&
      statuses.join() === [EspStatus.Ok, EspStatus.AuthFailed, EspStatus.Ok, EspStatus.Replay].join() &&
      hex(opened[2].payload) === hex(payloads[2]);
    // 20 batches in flight (more than the ring's slots), opened back in the page.
    const li = dp.installSa({ ...sa, direction: "in" });
    dp.open(sealed[0].packet);
    const xs = Array.from({ length: 20 }, (_, n) => {
      const x = new EspBatch();
      for (let k = 0; k < 64; k++) x.addSeal(wo, 17, payloads[(n + k) % 64]);
      return x;
    });
    await Promise.all(xs.map((x) => w.process("seal", x)));
    let openedInPage = 0;
    const buf = new Uint8Array(2000);
    for (const x of xs) for (let k = 0; k < x.count; k++) if (dp.openInto(x.data(k), buf) >= 0 && dp.lastHandle === li) openedInPage++;
    const batches = { mode: w.mode, ok: xs.reduce((a, x) => a + x.ok, 0), openedInPage };
    return { ok: ok && openedInPage === 1280, vectors, workerSame, statuses, batches };
  } finally {
    await w.close();
  }
}

const out = document.getElementById("result")!;
check()
  .catch((e: unknown): EspCheck => ({ ok: false, vectors: {}, workerSame: false, statuses: [], error: String(e) }))
  .then((r) => {
    window.hipmmEsp = r;
    out.textContent = JSON.stringify(r, null, 2);
    out.dataset.state = "done";
  });
