// `npm run bench`: runs every bench/*.bench.ts in one process and prints one JSON object per
// line: {"name","unit","value","baseline","ratio"}. Filter: `npm run bench -- walk esp`.
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
const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => args.length === 0 || args.some((a) => f.includes(a)))
  .sort();
let failed = 0;
for (const f of files) {
  try {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { run: (argv: string[]) => Promise<BenchRow[]> };
    for (const row of await mod.run(process.argv.slice(2))) console.log(JSON.stringify(row));
  } catch (e) {
    failed++;
    console.error(`bench ${f} failed:`, e);
  }
}
process.exitCode = failed ? 1 : 0;
