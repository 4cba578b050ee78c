// Profiling driver for the stack data path (not a bench row): runs one scenario of
// bench/udp-esp.bench.ts (in-process data plane, or the plain-UDP baseline) after a warm-up,
// and prints rate and CPU time (user / system) per operation.
//   [WORKER=1] node --import tsx bench/udp-esp-prof.ts rt|stream|udp-rt|udp-stream [seconds] [out.cpuprofile]
// With a third argument the measured phase is profiled (node:inspector, 100 µs sampling).
import { startProfile } from "./cpu.ts";
import { cryptoRng } from "../src/core/rng.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import type { MessageEvent } from "../src/runtime/host.ts";
import { startNodeHost } from "../src/runtime/node.ts";
import { bindNodeUdp } from "../src/transport/udp-node.ts";

const IP = "127.0.0.1";
const mode = process.argv[2] ?? "rt";
const ms = Number(process.argv[3] ?? 3) * 1000;
const profOut = process.argv[4];
const WINDOW = Number(process.env.WINDOW ?? 16);
const BURST = 16;

// WORKER=1: the Worker data plane (rows udp.esp.*.worker); WORKER=io: the Worker owns the sockets too (.worker-io).
const dataPlane = process.env.WORKER === "io" ? ("worker-io" as const) : process.env.WORKER ? ("worker" as const) : undefined;
const a = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: [`${IP}:0`], hip: { puzzleK: 0 }, dataPlane });
const b = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: [`${IP}:0`], hip: { puzzleK: 0 }, dataPlane });
await a.connect(b.locals[0], b.hit);
// IDLE=worker|worker-io: one more connected pair on that data plane, idle (as in the bench process).
const idle = process.env.IDLE as "worker" | "worker-io" | undefined;
const idlePair = idle
  ? await (async () => {
      const x = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: [`${IP}:0`], hip: { puzzleK: 0 }, dataPlane: idle });
      const y = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: [`${IP}:0`], hip: { puzzleK: 0 }, dataPlane: idle });
      await x.connect(y.locals[0], y.hit);
      return [x, y];
    })()
  : [];
const echo = await bindNodeUdp(IP, 0);
const client = await bindNodeUdp(IP, 0);
const small = new Uint8Array(256);
const big = new Uint8Array(1400);
let n = 0;
echo.onDatagram((data, from) => {
  if (mode === "udp-rt") echo.send({ to: from, data });
  else n++;
});
const echoB = (ev: MessageEvent) => void b.send(ev.peerHit, ev.dstPort, ev.srcPort, ev.data);
if (mode === "rt") b.on("message", echoB);

/** Runs the scenario for `ms`; returns the elapsed milliseconds (n counts operations). */
async function scenario(ms: number): Promise<number> {
  const t0 = performance.now();
  let t1 = t0;
  const offs: (() => void)[] = [];
  await new Promise<void>((resolve) => {
    const done = (): void => {
      t1 = performance.now();
      resolve();
    };
    if (mode === "rt" || mode === "udp-rt") {
      const send = mode === "rt" ? () => void a.send(b.hit, 1, 2, small) : () => client.send({ to: echo.local, data: small });
      const onReply = (): void => {
        n++;
        if (performance.now() - t0 < ms) send();
        else if (t1 === t0) done();
      };
      if (mode === "rt") {
        a.on("message", onReply);
        offs.push(() => a.off("message", onReply));
      } else client.onDatagram(onReply);
      for (let i = 0; i < WINDOW; i++) send();
    } else {
      const count = (): void => void n++;
      if (mode === "stream") {
        b.on("message", count);
        offs.push(() => b.off("message", count));
      }
      let waiting = false;
      const tick = (): void => {
        if (performance.now() - t0 >= ms) {
          done();
          return;
        }
        for (let i = 0; i < BURST; i++) {
          if (mode === "stream") {
            // Backpressure, as in udp-esp.bench.ts: a refused send waits for "drain" instead of spinning.
            if (a.send(b.hit, 1, 2, big) === "seal-failed") {
              waiting = true;
              return;
            }
          } else client.send({ to: echo.local, data: big });
        }
        setImmediate(tick);
      };
      const onDrain = (): void => {
        if (!waiting) return;
        waiting = false;
        setImmediate(tick);
      };
      a.on("drain", onDrain);
      offs.push(() => a.off("drain", onDrain));
      tick();
    }
  });
  client.onDatagram(() => {});
  for (const off of offs) off();
  await new Promise((r) => setTimeout(r, 50)); // the rest drains
  return t1 - t0;
}

await scenario(Number(process.env.WARMUP_MS ?? 1000)); // JIT warm-up
const stopProfile = await startProfile(profOut, 100);
n = 0;
const { readFileSync } = await import("node:fs");
const mainNs = (): number => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
const m0 = mainNs();
const c0 = process.cpuUsage();
const dt = await scenario(ms);
const cu = process.cpuUsage(c0);
const mainUs = (mainNs() - m0) / 1000;
await stopProfile();
const r2 = (x: number): number => Math.round(x * 100) / 100;
console.log(JSON.stringify({ mode, ops: n, perSec: Math.round((n * 1000) / dt), cpuUsPerOp: r2((cu.user + cu.system) / n), mainUsPerOp: r2(mainUs / n), userUs: r2(cu.user / n), sysUs: r2(cu.system / n) }));
if (process.env.COUNTERS) console.log(a.stack.counters, b.stack.counters, a.workerIo?.stats, b.workerIo?.stats, b.stats().transport);
await Promise.all([a.close(), b.close(), echo.close(), client.close(), ...idlePair.map((h) => h.close())]);
