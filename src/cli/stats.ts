// `--stats SECONDS` / `--stats-file FILE` / SIGUSR1 for long-running commands (host, fa): one
// JSON line `{"t": ISO time, "cmd": …, …counters}` with every counter the command's object
// exposes, printed every SECONDS, on SIGUSR1, and to stderr unless a file is given (appended);
// with --stats or --stats-file, a last line (`"final": true`) when the command stops.
import { appendFileSync } from "node:fs";
import { withFile } from "./errors.ts";
import type { OptionDef } from "./options.ts";

export const STATS_OPTIONS: readonly OptionDef[] = [
  { name: "stats", arg: "SECONDS", default: "off (SIGUSR1 only)", help: "print a JSON line with every counter (drops by reason) every SECONDS; SIGUSR1 prints one at any time" },
  { name: "stats-file", arg: "FILE", default: "stderr", help: "append the stats lines to FILE instead of stderr" },
];

export interface StatsReporter {
  /** Print one line now. */
  print(): void;
  /** Stop; with --stats or --stats-file, print the last line first (the counters at exit). */
  stop(): void;
}

export function startStats(cmd: string, source: () => object, o: { seconds?: number; file?: string }): StatsReporter {
  const file = o.file;
  // Fail now (one line naming the option) rather than at the first report.
  if (file) withFile("--stats-file", file, () => appendFileSync(file, ""), true);
  let failed = false;
  const print = (final = false) => {
    const line = `${JSON.stringify({ t: new Date().toISOString(), cmd, ...(final ? { final } : {}), ...source() })}\n`;
    if (!file) {
      process.stderr.write(line);
      return;
    }
    try {
      appendFileSync(file, line);
    } catch (e) {
      if (!failed) process.stderr.write(`hipmm ${cmd}: --stats-file ${file}: ${(e as Error).message.split("\n")[0]} (stats go to stderr)\n`);
      failed = true;
      process.stderr.write(line);
    }
  };
  const onSignal = () => print();
  process.on("SIGUSR1", onSignal);
  const timer = o.seconds ? setInterval(print, o.seconds * 1000) : undefined;
  timer?.unref();
  return {
    print: () => print(),
    stop() {
      process.off("SIGUSR1", onSignal);
      if (timer) clearInterval(timer);
      if (o.seconds || file) print(true);
    },
  };
}
