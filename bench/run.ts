// `npm run bench`: runs every bench/*.bench.ts and prints one JSON object per line:
// {"name","unit","value","baseline","ratio"}. Filter: `npm run bench -- walk esp`.
// Each file runs in a process of its own (`--one <file>`), its baselines in that same process:
// run one after another in one process, a file inherited the heap and the JIT's type feedback of
// those before it (after esp.bench, udp-esp's Worker stream cost 44 µs of CPU per packet instead
// of 29–33 µs, its ratio 0.47 instead of 0.61–0.81).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface BenchRow {
  name: string;
  unit: string;
  value: number;
  /** The baseline's value in the same unit, measured in the same run (null when none applies). */
  baseline: number | null;
  /** value / baseline for higher-is-better units, baseline / value for lower-is-better. */
  ratio: number | null;
  [extra: string]: unknown;
}

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const oneAt = argv.indexOf("--one");
if (oneAt >= 0) {
  // Child: one bench file, its rows on stdout.
  const f = argv[oneAt + 1];
  const rest = argv.filter((_, i) => i !== oneAt && i !== oneAt + 1);
  try {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { run: (argv: string[]) => Promise<BenchRow[]> };
    for (const row of await mod.run(rest)) console.log(JSON.stringify(row));
  } catch (e) {
    console.error(`bench ${f} failed:`, e);
    process.exitCode = 1;
  }
  // A failed bench may leave sockets, Workers or timers behind: never wait for them.
  process.exit();
} else {
  const args = argv.filter((a) => !a.startsWith("--"));
  const files = readdirSync(here)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => args.length === 0 || args.some((a) => f.includes(a)))
    .sort();
  /** A bench file that hangs (a lost datagram in a baseline with no retransmission) is killed. */
  const CHILD_TIMEOUT_MS = 20 * 60_000;
  let failed = 0;
  for (const f of files) {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--one", f, ...argv], { stdio: ["ignore", "inherit", "inherit"], timeout: CHILD_TIMEOUT_MS, killSignal: "SIGKILL" });
    if (r.status !== 0) {
      failed++;
      if (r.status === null) console.error(`bench ${f} failed: ${r.signal ?? r.error?.message}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}
