// Deno UDP receive cost: CPU time of the receiving thread per 1000 B datagram, hipmm's
// DenoUdpSocket (one receive buffer per socket, each datagram copied out at its size) against
// Deno.listenDatagram's receive() without a buffer (what a plain Deno program does: Deno
// allocates and zeroes 64 KiB per datagram). Both in Deno processes started here, fed by the
// same node:dgram sender (bursts of 8 per event-loop turn); rounds alternate, lowest CPU kept.
// Linux only (the receiver reads /proc/thread-self/schedstat); needs the npm-installed deno.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { denoPath, repoRoot } from "../test/helpers/deno.ts";
import type { BenchRow } from "./run.ts";
import { costRow } from "./util.ts";

const ROUNDS = 3;
const MS = 1500;

interface Result {
  got: number;
  nsPerDatagram: number;
}

/** One receiver process in `mode`, fed until it reports (bounded: 20 s). */
async function round(mode: "stack" | "raw"): Promise<Result> {
  const p = spawn(denoPath, ["run", "--quiet", "--unstable-net", "--allow-all", "bench/fixtures/deno-udp-recv.ts", mode, String(MS)], { cwd: repoRoot });
  const s = createSocket("udp4");
  const kill = setTimeout(() => p.kill("SIGKILL"), 20_000);
  let stop = false;
  try {
    let out = "";
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    const closed = new Promise<void>((r) => p.on("close", () => r()));
    const port = await new Promise<number>((resolve, reject) => {
      p.stdout.on("data", (d) => {
        out += d;
        const m = /"port":(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      void closed.then(() => reject(new Error(`deno receiver exited: ${err.slice(0, 300)}`)));
    });
    const data = Buffer.alloc(1000, 7);
    const tick = (): void => {
      if (stop) return;
      for (let i = 0; i < 8; i++) s.send(data, port, "127.0.0.1");
      setImmediate(tick);
    };
    tick();
    await closed;
    const line = out.trim().split("\n").pop() ?? "";
    const r = JSON.parse(line) as Result;
    if (!(r.got > 0)) throw new Error(`deno receiver got nothing: ${line} ${err.slice(0, 300)}`);
    return r;
  } finally {
    stop = true;
    clearTimeout(kill);
    s.close();
  }
}

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(denoPath) || !existsSync("/proc/thread-self/schedstat")) {
    if (process.env.CI) throw new Error("deno-udp bench: needs node_modules/.bin/deno and Linux");
    console.error("deno-udp bench skipped: needs node_modules/.bin/deno and Linux /proc");
    return [];
  }
  const best = { stack: Number.POSITIVE_INFINITY, raw: Number.POSITIVE_INFINITY };
  const got = { stack: 0, raw: 0 };
  for (let i = 0; i < ROUNDS; i++) {
    for (const mode of ["raw", "stack"] as const) {
      const r = await round(mode);
      if (r.nsPerDatagram < best[mode]) {
        best[mode] = r.nsPerDatagram;
        got[mode] = r.got;
      }
    }
  }
  return [
    costRow("deno.udp.receive.1000B", "ns/datagram", best.stack, best.raw, {
      baselineName: "Deno.listenDatagram receive() without a buffer (64 KiB allocated per datagram)",
      datagrams: got.stack, baselineDatagrams: got.raw, rounds: ROUNDS, ms: MS,
      note: "CPU time of the receiving Deno thread per datagram (/proc/thread-self/schedstat), lowest of the rounds; same sender",
    }),
  ];
}
