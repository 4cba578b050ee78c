// ESP through two whole stacks (HostStack + driver + node:dgram on loopback), each row against
// plain UDP measured in the same run with the same traffic pattern:
// - udp.esp.round-trips[.worker][.w64|.w1]: ESP echo round trips per second with `window` datagrams
//   in flight (256 B payload) vs a plain UDP echo with the same payload and window; at window 1
//   the row also gives the mean round-trip time (µs) of both sides;
// - udp.esp.stream.1400B[.worker]: one-way ESP datagrams delivered per second (1400 B payload,
//   BURST sends per event-loop turn) vs plain UDP datagrams delivered per second, same bursts. A
//   burst stops at a send the stack refuses (its seal queue is full) and resumes on "drain", as a
//   sender honouring backpressure does (plain UDP sends are never refused);
// - .worker-io: the same with the ESP Worker owning the sockets (dataPlane "worker-io");
// - *.main-cpu: CPU time of the main (application) thread per operation, vs plain UDP's (Linux:
//   /proc/thread-self/schedstat); what moving the data path off that thread buys the application.
// The machine is shared: rounds are interleaved (baseline, in-process, worker, baseline, ...) and
// the best of each kept, so a load burst does not land on one side only. Each row also carries
// the CPU time per operation (process.cpuUsage, all threads of this process) of both sides.
import { existsSync, readFileSync } from "node:fs";
import { cryptoRng } from "../src/core/rng.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import type { DataPlaneChoice, RuntimeHost } from "../src/runtime/host.ts";
import { startNodeHost } from "../src/runtime/node.ts";
import { bindNodeUdp, type NodeUdpSocket } from "../src/transport/udp-node.ts";
import type { BenchRow } from "./run.ts";
import { costRow, rateRow } from "./util.ts";

const IP = "127.0.0.1";
const ROUNDS = 3;
const MS = 600;
const BURST = 16;

interface Rate {
  /** Operations per second (round trips, or datagrams delivered). */
  rate: number;
  /** CPU microseconds per operation. */
  cpuUs: number;
  /** CPU microseconds per operation of this (the main) thread; NaN where it cannot be read. */
  mainUs: number;
}

const SCHEDSTAT = "/proc/thread-self/schedstat";
const haveSchedstat = existsSync(SCHEDSTAT);
/** This thread's CPU time in µs (Linux schedstat: ns on the CPU), NaN elsewhere. */
const mainCpuUs = (): number => (haveSchedstat ? Number(readFileSync(SCHEDSTAT, "utf8").split(" ")[0]) / 1000 : Number.NaN);

type OnEach = (cb: () => void) => () => void;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function measure(done: () => number, t0: number, c0: NodeJS.CpuUsage, m0: number): Rate {
  const n = done();
  const cu = process.cpuUsage(c0);
  const m = mainCpuUs() - m0;
  return { rate: (n * 1000) / (performance.now() - t0), cpuUs: n ? (cu.user + cu.system) / n : 0, mainUs: n ? m / n : Number.NaN };
}

/** Round trips per second with `window` datagrams in flight, for `ms`. */
async function pipelined(send: () => void, onReply: OnEach, window: number, ms: number): Promise<Rate> {
  let done = 0;
  let stop = false;
  let off = () => {};
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const m0 = mainCpuUs();
  let r: Rate = { rate: 0, cpuUs: 0, mainUs: Number.NaN };
  await new Promise<void>((resolve) => {
    off = onReply(() => {
      if (stop) return;
      done++;
      if (performance.now() - t0 < ms) send();
      else {
        stop = true;
        r = measure(() => done, t0, c0, m0);
        resolve();
      }
    });
    for (let i = 0; i < window; i++) send();
  });
  off();
  await pause(20); // the rest of the window drains
  return r;
}

/**
 * Datagrams delivered per second when BURST are sent per event-loop turn, for `ms`. `send` returns
 * false when the stack refused the datagram (seal queue full): the burst stops there and the next
 * one starts on `onDrain` instead of spinning on refusals.
 */
async function stream(send: () => boolean, onDelivered: OnEach, ms: number, onDrain?: OnEach): Promise<Rate> {
  let got = 0;
  const off = onDelivered(() => {
    got++;
  });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const m0 = mainCpuUs();
  let r: Rate = { rate: 0, cpuUs: 0, mainUs: Number.NaN };
  let waiting = false;
  let tick = (): void => {};
  const offDrain = onDrain?.(() => {
    if (!waiting) return;
    waiting = false;
    setImmediate(tick);
  });
  await new Promise<void>((resolve) => {
    tick = (): void => {
      if (performance.now() - t0 >= ms) {
        r = measure(() => got, t0, c0, m0);
        resolve();
        return;
      }
      for (let i = 0; i < BURST; i++) {
        if (!send() && onDrain) {
          waiting = true;
          return;
        }
      }
      setImmediate(tick);
    };
    tick();
  });
  off();
  offDrain?.();
  await pause(20);
  return r;
}

const onSocket =
  (s: NodeUdpSocket): OnEach =>
  (cb) => {
    s.onDatagram(cb);
    return () => s.onDatagram(() => {});
  };

const onMessage =
  (h: RuntimeHost): OnEach =>
  (cb) => {
    h.on("message", cb);
    return () => void h.off("message", cb);
  };

const onDrain =
  (h: RuntimeHost): OnEach =>
  (cb) => {
    h.on("drain", cb);
    return () => void h.off("drain", cb);
  };

interface Pair {
  a: RuntimeHost;
  b: RuntimeHost;
  close(): Promise<void>;
}

async function hostPair(dataPlane: DataPlaneChoice | undefined): Promise<Pair> {
  const a = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: [`${IP}:0`], hip: { puzzleK: 0 }, dataPlane });
  const b = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: [`${IP}:0`], hip: { puzzleK: 0 }, dataPlane });
  await a.connect(b.locals[0], b.hit);
  return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
}

const best = (xs: Rate[]): Rate => xs.reduce((m, x) => (x.rate > m.rate ? x : m), { rate: 0, cpuUs: 0, mainUs: Number.NaN });
/** The lowest main-thread CPU per operation of the rounds (NaN where unreadable). */
const leastMain = (xs: Rate[]): number => Math.min(...xs.map((x) => x.mainUs));
const r2 = (x: number): number => Math.round(x * 100) / 100;

type Mode = "in-process" | "worker" | "worker-io";
const MODES: Mode[] = ["in-process", "worker", "worker-io"];
const DATA_PLANE: Record<Mode, string> = {
  "in-process": "WASM in-process, per packet",
  worker: "WASM in a Worker, batched per event-loop turn (each host)",
  "worker-io": "WASM in a Worker that owns the UDP sockets (receive, open; seal, send), payloads batched to the main thread (each host)",
};
const SUFFIX: Record<Mode, string> = { "in-process": "", worker: ".worker", "worker-io": ".worker-io" };

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const echo = await bindNodeUdp(IP, 0);
  echo.onDatagram((data, from) => echo.send({ to: from, data }));
  const sink = await bindNodeUdp(IP, 0);
  const client = await bindNodeUdp(IP, 0);
  const pairs: Record<Mode, Pair> = { "in-process": await hostPair(undefined), worker: await hostPair("worker"), "worker-io": await hostPair("worker-io") };
  try {
    const echoes = MODES.map((m) => {
      const { b } = pairs[m];
      const cb = (ev: { peerHit: Uint8Array; srcPort: number; dstPort: number; data: Uint8Array }) => void b.send(ev.peerHit, ev.dstPort, ev.srcPort, ev.data);
      b.on("message", cb);
      return () => void b.off("message", cb);
    });

    // Round trips: 256 B, windows 16 and 64, and 1 (one datagram in flight: the latency each data
    // plane adds, thread hand-offs included).
    const small = new Uint8Array(256);
    for (const window of [16, 64, 1]) {
      const udp: Rate[] = [];
      const esp: Record<Mode, Rate[]> = { "in-process": [], worker: [], "worker-io": [] };
      for (const p of Object.values(pairs)) await pipelined(() => p.a.send(p.b.hit, 1, 2, small), onMessage(p.a), window, 150); // warm-up
      for (let r = 0; r < ROUNDS; r++) {
        udp.push(await pipelined(() => client.send({ to: echo.local, data: small }), onSocket(client), window, MS));
        for (const m of MODES) {
          const { a, b } = pairs[m];
          esp[m].push(await pipelined(() => a.send(b.hit, 1, 2, small), onMessage(a), window, MS));
        }
      }
      const base = best(udp);
      for (const m of MODES) {
        const e = best(esp[m]);
        const name = `udp.esp.round-trips${SUFFIX[m]}${window === 16 ? "" : `.w${window}`}`;
        rows.push(
          rateRow(name, "rt/s", e.rate, base.rate, {
            baselineName: "plain UDP echo", payload: small.length, window, dataPlane: DATA_PLANE[m], suite: "AES-GCM-16 (default)",
            rounds: ROUNDS, cpuUsPerRt: r2(e.cpuUs), baselineCpuUsPerRt: r2(base.cpuUs),
            ...(window === 1 ? { rttUs: r2(1e6 / e.rate), baselineRttUs: r2(1e6 / base.rate) } : {}),
          }),
        );
        if (window === 16 && haveSchedstat) {
          rows.push(
            costRow(`${name}.main-cpu`, "µs/rt", leastMain(esp[m]), leastMain(udp), {
              baselineName: "plain UDP echo, main-thread CPU per round trip", payload: small.length, window, dataPlane: DATA_PLANE[m],
              note: "CPU time of the application's thread per round trip (/proc/thread-self/schedstat), lowest of the rounds",
            }),
          );
        }
      }
    }

    // One-way stream: 1400 B, BURST per turn; the stacks' receivers only count (no echo).
    for (const stop of echoes) stop();
    const big = new Uint8Array(1400);
    const udp: Rate[] = [];
    const esp: Record<Mode, Rate[]> = { "in-process": [], worker: [], "worker-io": [] };
    const espSend = (p: Pair) => (): boolean => p.a.send(p.b.hit, 1, 2, big) !== "seal-failed";
    const plainSend = (): boolean => {
      client.send({ to: sink.local, data: big });
      return true;
    };
    for (const m of MODES) await stream(espSend(pairs[m]), onMessage(pairs[m].b), 150, onDrain(pairs[m].a)); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      udp.push(await stream(plainSend, onSocket(sink), MS));
      for (const m of MODES) esp[m].push(await stream(espSend(pairs[m]), onMessage(pairs[m].b), MS, onDrain(pairs[m].a)));
    }
    const base = best(udp);
    for (const m of MODES) {
      const e = best(esp[m]);
      rows.push(
        rateRow(`udp.esp.stream.1400B${SUFFIX[m]}`, "packets/s", e.rate, base.rate, {
          baselineName: "plain UDP, same sender bursts", payload: big.length, burst: BURST, dataPlane: DATA_PLANE[m],
          suite: "AES-GCM-16 (default)", rounds: ROUNDS, cpuUsPerPacket: r2(e.cpuUs), baselineCpuUsPerPacket: r2(base.cpuUs),
          backpressure: "a burst stops at a refused send and resumes on 'drain'",
        }),
      );
      if (haveSchedstat) {
        rows.push(
          costRow(`udp.esp.stream.1400B${SUFFIX[m]}.main-cpu`, "µs/packet", leastMain(esp[m]), leastMain(udp), {
            baselineName: "plain UDP, same sender bursts, main-thread CPU per packet delivered", payload: big.length, burst: BURST, dataPlane: DATA_PLANE[m],
            note: "CPU time of the application's thread (sender and receiver) per packet delivered (/proc/thread-self/schedstat), lowest of the rounds",
          }),
        );
      }
    }
  } finally {
    await Promise.all([...Object.values(pairs).map((p) => p.close()), echo.close(), sink.close(), client.close()]);
  }
  return rows;
}
