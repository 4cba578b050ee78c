// ESP data plane benchmark: seal and open at 64 B and 1400 B for suites 1, 8 and 13.
// Node: (a) WASM in-process per packet (sealInto / openInto), (b) WASM in-process zero-copy batches
// of 64, (c) WASM in a worker_threads Worker, IN_FLIGHT batches of 64 circulating through the
// shared-memory ring (row fields workerMode, inFlight), (d) node:crypto per packet,
// (e) @noble/ciphers + @noble/hashes, (f) WebCrypto awaited per packet.
// `--browser`: the same WASM / Worker / noble / WebCrypto rows inside headless Chromium
// (web/esp-bench/ built by Vite, served with COOP/COEP), rows prefixed "browser.".
// `--browser-only` skips the Node rows. Worker batches come from WorkerDataPlane.batch() (ring slot
// buffers, no copies); `--shared` uses plain SharedArrayBuffer batches instead (staging copies).
// Implementations shared with the page: web/esp-bench/impls.ts.
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from "node:crypto";
import { DataPlane } from "../src/esp/dataplane.ts";
import { WorkerDataPlane } from "../src/esp/remote.ts";
import { EspSuite, type SaParams } from "../src/esp/types.ts";
import {
  concat, espPlain, type GridCell, header, IN_FLIGHT, type Impl, mbps, nobleImpl, PER_PACKET_API, ratio, runGrid, wasmBatchImpl, wasmImpl,
  webImpl, workerImpl, workerMode,
} from "../web/esp-bench/impls.ts";
import type { BenchRow } from "./run.ts";
import { rateRow } from "./util.ts";
import "../src/wasm/node-features.ts"; // relaxed SIMD on Node 20, as the Node entry points
import "../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const MS = 200;
/** Worker batches in SharedArrayBuffers instead of transferred ArrayBuffers. */
const SHARED = process.argv.includes("--shared");
const ROUNDS = 5;

export function nodeImpl(p: SaParams, payload: Uint8Array): Impl {
  const sync = { async: false };
  let seq = 0;
  const iv = new Uint8Array(16);
  if (p.suite === EspSuite.AES_GCM16) {
    const key = p.encKey.subarray(0, 16);
    const nonce = new Uint8Array(12);
    nonce.set(p.encKey.subarray(16, 20));
    const seal = (): Uint8Array => {
      const hdr = header(p.spi, ++seq);
      new DataView(nonce.buffer).setUint32(8, seq);
      const c = createCipheriv("aes-128-gcm", key, nonce).setAAD(hdr);
      const ct = concat(c.update(espPlain(payload, 4)), c.final());
      return concat(hdr, nonce.subarray(4), ct, c.getAuthTag());
    };
    const pkt = seal();
    return {
      ...sync,
      seal: () => (seal().length > 0 ? 1 : 0),
      open: () => {
        const n = concat(p.encKey.subarray(16, 20), pkt.subarray(8, 16));
        const d = createDecipheriv("aes-128-gcm", key, n).setAAD(pkt.subarray(0, 8));
        d.setAuthTag(pkt.subarray(pkt.length - 16));
        const pt = concat(d.update(pkt.subarray(16, pkt.length - 16)), d.final());
        if (pt[pt.length - 1] !== 17) throw new Error("node open");
        return 1;
      },
    };
  }
  const alg = p.suite === EspSuite.AES128_CBC_SHA1 ? "sha1" : "sha256";
  const icv = p.suite === EspSuite.AES128_CBC_SHA1 ? 12 : 16;
  const seal = (): Uint8Array => {
    const hdr = header(p.spi, ++seq);
    new DataView(iv.buffer).setUint32(12, seq);
    const c = createCipheriv("aes-128-cbc", p.encKey, iv).setAutoPadding(false);
    const ct = concat(c.update(espPlain(payload, 16)), c.final());
    const mac = createHmac(alg, p.authKey).update(hdr).update(iv).update(ct).digest();
    return concat(hdr, iv, ct, mac.subarray(0, icv));
  };
  const pkt = seal();
  return {
    ...sync,
    seal: () => (seal().length > 0 ? 1 : 0),
    open: () => {
      const body = pkt.subarray(0, pkt.length - icv);
      const mac = createHmac(alg, p.authKey).update(body).digest().subarray(0, icv);
      if (!timingSafeEqual(mac, pkt.subarray(pkt.length - icv))) throw new Error("node open");
      const d = createDecipheriv("aes-128-cbc", p.encKey, pkt.subarray(8, 24)).setAutoPadding(false);
      const pt = concat(d.update(body.subarray(24)), d.final());
      if (pt[pt.length - 1] !== 17) throw new Error("node open");
      return 1;
    },
  };
}


/** Rows for one grid cell; `prefix` is "" (Node) or "browser.". */
export function cellRows(c: GridCell, prefix: string, baseline: "node" | "webcrypto", workerMode: string): BenchRow[] {
  const r = c.rates;
  const name = (impl: string): string => `${prefix}esp.${c.op}.suite${c.suite}.${c.size}B.${impl}`;
  const extra = (impl: string) => ({ mbps: mbps(r[impl], c.size) });
  const base = baseline === "node" ? { v: r.node, name: "node:crypto per packet" } : { v: r.webcrypto, name: "WebCrypto awaited per packet" };
  const rows: BenchRow[] = [
    rateRow(name("wasm"), "packets/s", r.wasm, base.v, {
      ...extra("wasm"), vsNoble: ratio(r.wasm, r.noble), vsWebCrypto: ratio(r.wasm, r.webcrypto), baselineName: base.name,
      api: PER_PACKET_API,
    }),
    rateRow(name("wasm-batch64"), "packets/s", r.wasmBatch, r.wasm, {
      ...extra("wasmBatch"), vsWebCrypto: ratio(r.wasmBatch, r.webcrypto), baselineName: "wasm in-process per packet",
    }),
    rateRow(name("worker-batch64"), "packets/s", r.worker, r.wasm, {
      ...extra("worker"), vsWasmBatch: ratio(r.worker, r.wasmBatch), vsWebCrypto: ratio(r.worker, r.webcrypto),
      baselineName: "wasm in-process per packet", workerMode, inFlight: IN_FLIGHT,
    }),
  ];
  if (r.node !== undefined) rows.push(rateRow(name("node-crypto"), "packets/s", r.node, null, extra("node")));
  rows.push(
    rateRow(name("noble"), "packets/s", r.noble, base.v, { ...extra("noble"), baselineName: base.name }),
    rateRow(name("webcrypto"), "packets/s", r.webcrypto, baseline === "node" ? r.node : null, {
      ...extra("webcrypto"), ...(baseline === "node" ? { baselineName: base.name } : {}),
    }),
  );
  return rows;
}

async function nodeRows(): Promise<BenchRow[]> {
  const dp = new DataPlane();
  const w = await WorkerDataPlane.create();
  try {
    const cells = await runGrid(
      async (p, payload) => ({
        node: nodeImpl(p, payload),
        wasm: wasmImpl(dp, p, payload),
        wasmBatch: wasmBatchImpl(dp, p, payload),
        worker: await workerImpl(w, p, payload, SHARED),
        noble: nobleImpl(p, payload),
        webcrypto: await webImpl(p, payload),
      }),
      MS,
      ROUNDS,
    );
    return cells.flatMap((c) => cellRows(c, "", "node", workerMode(w.mode, SHARED)));
  } finally {
    await w.close();
  }
}

/** Builds web/esp-bench/, runs it in headless Chromium and returns its rows (bounded: 60 s). */
async function browserRows(): Promise<BenchRow[]> {
  const { buildAndServe, withChromium } = await import("../test/helpers/browser.ts");
  const site = await buildAndServe("esp-bench");
  let rows: BenchRow[] = [];
  try {
    await withChromium(
      async (page) => {
        await page.goto(`${site.url}?ms=${MS}&rounds=${ROUNDS}&shared=${SHARED ? 1 : 0}`);
        await page.waitForFunction(() => (window as { hipmmEspBench?: unknown }).hipmmEspBench !== undefined, null, {
          timeout: 50_000,
        });
        const r = (await page.evaluate(() => (window as { hipmmEspBench?: unknown }).hipmmEspBench)) as {
          cells?: GridCell[];
          error?: string;
          isolated: boolean;
          workerMode?: string;
        };
        if (r.error || !r.cells) throw new Error(`browser bench failed: ${r.error}`);
        rows = r.cells.flatMap((c) => cellRows(c, "browser.", "webcrypto", r.workerMode ?? "transfer"));
        for (const row of rows) row.crossOriginIsolated = r.isolated;
      },
      { timeoutMs: 58_000 },
    );
  } finally {
    await site.close();
  }
  return rows;
}

export async function run(argv: string[]): Promise<BenchRow[]> {
  if (argv.includes("--browser-only")) return browserRows();
  const rows = await nodeRows();
  if (argv.includes("--browser")) rows.push(...(await browserRows()));
  return rows;
}
