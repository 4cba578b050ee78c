// Would batching the stack's ESP opens per event-loop turn pay? (issue 12; not a bench row.)
//   node --import tsx bench/udp-esp-batch-ab.ts turn        — datagrams per flush when the socket
//     'message' handler queues and flushes in queueMicrotask vs setImmediate (16-datagram bursts).
//   node --import tsx bench/udp-esp-batch-ab.ts open [n=16]  — CPU µs per packet: the stack's
//     per-packet open (DataPlane.openTo, payload sum from WASM) vs one espOpenBatch of n packets
//     plus espInetSum and the payload copy per packet (what a batched receive would have to do).
// Measured 2026-12-03 (2 loaded cores, noisy): queueMicrotask flushes after every datagram (Node
// drains microtasks after each 'message' callback: batch 1); setImmediate gets the 16-datagram
// burst. Saving per packet at n=16: suite 13 (the stack default, what udp-esp.bench.ts uses)
// -0.6…+0.35 µs, i.e. none, of ~34 µs stack CPU per 1400 B packet; suite 8 at 1400 B 1.7–3.7 µs,
// suite 1 1.4–1.7 µs. So the in-process stack keeps opening per packet (stack-esp.ts openEsp).
import { createSocket } from "node:dgram";
import { ENTRY_BYTES, encodeOpenBatch, openBatchBytes } from "../src/esp/batch.ts";
import { DataPlane } from "../src/esp/dataplane.ts";
import { EspStatus, EspSuite, type OpenResult } from "../src/esp/types.ts";
import { loadWasmSync } from "../src/wasm/loader.ts";
import { fill, params } from "../web/esp-bench/impls.ts";

async function turn(mode: "micro" | "immediate"): Promise<void> {
  const rx = createSocket("udp4");
  const tx = createSocket("udp4");
  await new Promise<void>((r) => rx.bind(0, "127.0.0.1", () => r()));
  const port = rx.address().port;
  let queued = 0;
  let scheduled = false;
  const sizes: number[] = [];
  const flush = (): void => {
    scheduled = false;
    sizes.push(queued);
    queued = 0;
  };
  rx.on("message", () => {
    queued++;
    if (scheduled) return;
    scheduled = true;
    if (mode === "micro") queueMicrotask(flush);
    else setImmediate(flush);
  });
  const buf = new Uint8Array(1400);
  for (let r = 0; r < 50; r++) {
    for (let i = 0; i < 16; i++) tx.send(buf, port, "127.0.0.1");
    await new Promise((res) => setTimeout(res, 5));
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ mode, datagrams: total, flushes: sizes.length, meanBatch: +(total / sizes.length).toFixed(2), maxBatch: Math.max(...sizes) }));
  rx.close();
  tx.close();
}

function open(n: number): void {
  // biome-ignore lint/suspicious/noExplicitAny: raw exports (espOpenBatch, espInetSum, cryptoAlloc)
  const ex = loadWasmSync() as any;
  const dp = new DataPlane(ex);
  const POOL = 2048 - (2048 % n);
  const arena: number = ex.cryptoAlloc(256 * 1024);
  const r: OpenResult = { status: EspStatus.Ok, spi: 0, seq: 0, handle: 0, nextHeader: 0, payload: new Uint8Array(0), payloadSum: 0 };
  let spi = 0x7000;
  for (const suite of [EspSuite.AES_GCM16, EspSuite.AES128_CBC_SHA256, EspSuite.AES128_CBC_SHA1]) {
    for (const size of [264, 1408]) {
      const p = params(suite, 1);
      const best = [Infinity, Infinity];
      for (let round = 0; round < 6; round++) {
        for (const batched of [false, true]) {
          const s = ++spi;
          const out = dp.installSa({ ...p, spi: s });
          const pool: Uint8Array[] = [];
          for (let i = 0; i < POOL; i++) pool.push(dp.seal(out, 17, fill(size, i)).slice());
          const inb = dp.installSa({ ...p, spi: s, direction: "in", replayWindow: 4096 });
          let ok = 0;
          let sink = 0;
          const c0 = process.cpuUsage();
          if (!batched) {
            for (let i = 0; i < POOL; i++) {
              dp.openTo(pool[i], r);
              if (r.status === EspStatus.Ok) {
                ok++;
                sink += (r.payloadSum ?? 0) + r.payload.length;
              }
            }
          } else {
            const batch: Uint8Array[] = [];
            for (let i = 0; i < POOL; i += n) {
              batch.length = 0;
              for (let j = 0; j < n; j++) batch.push(pool[i + j]);
              const bytes = new Uint8Array(ex.memory.buffer);
              encodeOpenBatch(bytes, arena, batch);
              ex.espOpenBatch(arena, openBatchBytes(batch), n);
              const w = new Uint32Array(ex.memory.buffer, arena, (n * ENTRY_BYTES) / 4);
              for (let j = 0; j < n; j++) {
                const e = j * 8;
                if (w[e + 3] !== EspStatus.Ok) continue; // status word (src/esp/batch.ts E_STATUS)
                const at = arena + w[e + 7];
                const len = w[e + 1];
                const sum: number = ex.espInetSum(at, len);
                ok++;
                sink += sum + bytes.slice(at, at + len).length + w[e + 4] + w[e + 5] + w[e + 6];
              }
            }
          }
          const c = process.cpuUsage(c0);
          if (ok !== POOL || sink === 0) throw new Error(`${batched ? "batch" : "per-packet"}: ${ok}/${POOL} opened`);
          const k = batched ? 1 : 0;
          best[k] = Math.min(best[k], (c.user + c.system) / POOL);
          dp.removeSa(out);
          dp.removeSa(inb);
        }
      }
      console.log(JSON.stringify({ suite, innerBytes: size, batch: n, perPacketCpuUs: +best[0].toFixed(2), batchCpuUs: +best[1].toFixed(2), savingUs: +(best[0] - best[1]).toFixed(2) }));
    }
  }
}

const what = process.argv[2] ?? "open";
if (what === "turn") {
  await turn("micro");
  await turn("immediate");
} else open(Number(process.argv[3] ?? 16));
