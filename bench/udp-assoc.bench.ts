// Associations per second one Responder process completes (issue 12 acceptance: ≥ 1,000/s)
// with its Initiators in other processes (bench/assoc-initiator.ts, `PROCS` processes of
// `HOSTS` Initiators each, all on this machine: they share its cores with the Responder).
// The Responder is a whole runtime host (startNodeHost: HostStack, node:crypto crypto jobs by
// default, mobility off); counted: R2s it sent in the measured window (tx.R2), i.e. exchanges it
// completed. R1 and I2 rate limits raised (one loopback prefix); association limits are the defaults
// (1024 / 256 half-open: the oldest R2-SENT association is evicted, as on a busy server).
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { cryptoRng } from "../src/core/rng.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import type { CryptoProvider } from "../src/core/crypto/provider.ts";
import { WebCryptoProvider } from "../src/core/crypto/webcrypto.ts";
import { withFallback } from "../src/core/crypto/fallback.ts";
import { nobleProvider } from "../src/core/crypto/noble.ts";
import { startNodeHost } from "../src/runtime/node.ts";
import type { BenchRow } from "./run.ts";
import { startProfile } from "./cpu.ts";
import { rateRow } from "./util.ts";

const here = dirname(fileURLToPath(import.meta.url));
const PROCS = 2;
const HOSTS = 16;
const WINDOW_MS = 3000;
const WARMUP_MS = 2000;

export async function measure(crypto: "inline" | CryptoProvider | undefined): Promise<{ rate: number; cpuUs: number; initiatorsEstablished: number; initiatorCpuUs: number }> {
  const responder = await startNodeHost({
    identity: HostIdentity.generate(cryptoRng, "P-256"),
    listen: ["127.0.0.1:0"],
    hip: { dhGroups: [7], espSuites: [13], puzzleK: 0, dropEvents: false, limits: { r1PerPrefix: { ratePerSec: 1e6, burst: 1e6 }, r1Global: { ratePerSec: 1e6, burst: 1e6 }, i2PerPrefix: { ratePerSec: 1e6, burst: 1e6 }, i2Global: { ratePerSec: 1e6, burst: 1e6 } } },
    mobility: false,
    crypto,
  });
  const hit = Array.from(responder.hit, (b) => b.toString(16).padStart(2, "0")).join("");
  const loc = `${responder.locals[0].ip}:${responder.locals[0].port}`;
  const kids = Array.from({ length: PROCS }, () => spawn(process.execPath, [...(process.env.KID_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.KID_PROF}`] : []), "--import", "tsx", join(here, "assoc-initiator.ts"), loc, hit, String(HOSTS)], { stdio: ["pipe", "pipe", "inherit"] }));
  const lines = kids.map((k) => createInterface({ input: k.stdout })[Symbol.asyncIterator]());
  await Promise.all(lines.map((l) => l.next())); // "ready"
  // Warm-up (R1 generation, JIT), then the measured window.
  for (const k of kids) k.stdin.write("go\n");
  // 2 s: in 0.5 s the Responder's code was still being optimised (first measure of a process
  // 355/s, the same measure later in that process 1139/s, at load 3).
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const c0 = responder.stack.host.counters["tx.R2"] ?? 0;
  // PROF=out.cpuprofile (dev use): the Responder's measured window of the first measure.
  const stopProf = crypto === undefined ? await startProfile(process.env.PROF, 100) : undefined;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  await stopProf?.();
  const c1 = responder.stack.host.counters["tx.R2"] ?? 0;
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  for (const k of kids) k.stdin.write("stop\n");
  const done = await Promise.all(lines.map(async (l) => JSON.parse(String((await l.next()).value)) as { established: number; cpuUs: number }));
  // A child may have exited already (its "exit" came before we listened): do not wait for it.
  await Promise.all(kids.map((k) => (k.exitCode !== null || k.signalCode !== null ? undefined : new Promise((r) => k.once("exit", r)))));
  await responder.close();
  // CPU of the Responder process (all its threads: WebCrypto runs on libuv's pool) per exchange.
  const cpuUs = (cpu.user + cpu.system) / Math.max(1, c1 - c0);
  // Initiators: their CPU from "go" to "stop" (warm-up included) per exchange they completed.
  const est = done.reduce((a, d) => a + d.established, 0);
  const initiatorCpuUs = done.reduce((a, d) => a + d.cpuUs, 0) / Math.max(1, est);
  return { rate: ((c1 - c0) * 1000) / ms, cpuUs, initiatorsEstablished: est, initiatorCpuUs };
}

export async function run(): Promise<BenchRow[]> {
  const node = await measure(undefined);
  const noble = await measure("inline");
  const web = await measure(withFallback((await WebCryptoProvider.create())!, nobleProvider));
  const cores = availableParallelism();
  return [
    rateRow("udp.responder.associations.multiprocess", "assoc/s", node.rate, noble.rate, {
      baselineName: "same, Responder with @noble inline (no crypto jobs)",
      initiatorProcesses: PROCS,
      initiatorsPerProcess: HOSTS,
      responderCrypto: "node:crypto jobs (startNodeHost default)",
      initiatorCrypto: "node:crypto jobs",
      cores,
      note: `Responder and ${PROCS} Initiator processes share this machine's ${cores} cores (and whatever else runs on it)`,
      initiatorsEstablished: node.initiatorsEstablished,
      identities: `each Initiator reconnects with its one identity (${PROCS * HOSTS} in all): the Responder's peer-HI and key caches hit; bench/hip-core-responder.ts measures always-new identities`,
      // Load-independent view: Responder CPU per association and the rate one core would give.
      responderCpuUsPerAssoc: Math.round(node.cpuUs),
      assocPerResponderCpuSecond: Math.round(1e6 / node.cpuUs),
      baselineCpuUsPerAssoc: Math.round(noble.cpuUs),
      // All Initiator processes together, CPU per exchange they completed (with the Responder's,
      // what the machine's cores must supply per association).
      initiatorCpuUsPerAssoc: Math.round(node.initiatorCpuUs),
      // Responder on WebCrypto jobs (the default outside Node).
      webCryptoRate: Math.round(web.rate),
      webCryptoCpuUsPerAssoc: Math.round(web.cpuUs),
    }),
  ];
}
