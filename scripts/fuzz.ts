// `npm run fuzz -- --packets N --seed S [--epoch E] [--quiet]`: a long stateful-fuzzing campaign
// (issue 9 item 11, test/security/fuzz/). Prints each new kind of violation with its seed and
// packet index (rerun with `--packets index+1` to replay it), progress every 10^5 packets
// (packets/s, heap), and a JSON summary line at the end. Exit 1 when any invariant was violated.
import { StatefulFuzzer, type Violation } from "../test/security/fuzz/fuzzer.ts";
import { knownItem } from "../test/security/fuzz/known.ts";

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) {
    console.error(`fuzz: --${name} needs a number`);
    process.exit(2);
  }
  return v;
}

const packets = arg("packets", 1_000_000);
const seed = arg("seed", Date.now() % 2 ** 31);
const epoch = arg("epoch", 250_000);
const quiet = process.argv.includes("--quiet");
const seen = new Set<string>();
const onViolation = (v: Violation) => {
  const k = `${v.kind}:${v.detail.replace(/0x[0-9a-f]+|[0-9a-f]{6,}|\d+/g, "#")}`;
  if (seen.has(k)) return;
  seen.add(k);
  console.log(`VIOLATION seed ${v.seed} packet ${v.index} ${v.kind}${knownItem(v) ? ` [known: ${knownItem(v)}]` : " [NEW]"}: ${v.detail} (last injected: ${v.what}); replay: npm run fuzz -- --seed ${v.seed} --packets ${v.index + 1}`);
};
const f = new StatefulFuzzer({ seed, epoch, keep: 0, onViolation });
console.log(`fuzz: seed ${seed}, ${packets} packets, a new world every ${epoch}`);
const t0 = performance.now();
const c0 = process.cpuUsage();
let peakHeap = 0;
const chunk = Math.min(100_000, arg("every", 100_000));
for (let done = 0; done < packets; ) {
  const n = Math.min(chunk, packets - done);
  f.run(n);
  done += n;
  const heap = process.memoryUsage().heapUsed;
  peakHeap = Math.max(peakHeap, heap);
  const cpu = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1e6;
  if (!quiet) console.log(`fuzz: ${done} packets, ${Math.round(done / ((performance.now() - t0) / 1000))} packets/s (${Math.round(done / cpu)} per CPU-second), heap ${(heap / 2 ** 20).toFixed(0)} MiB, violations ${JSON.stringify(f.counts)}`);
}
const secs = (performance.now() - t0) / 1000;
const cpuSecs = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1e6;
const total = Object.values(f.counts).reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ seed, packets: f.packets, worlds: f.worlds, seconds: Math.round(secs), cpuSeconds: Math.round(cpuSecs), packetsPerSecond: Math.round(f.packets / secs), packetsPerCpuSecond: Math.round(f.packets / cpuSecs), peakHeapMiB: Math.round(peakHeap / 2 ** 20), limits: f.limitSource, violations: f.counts, actions: f.actions }));
process.exitCode = total > 0 ? 1 : 0;
