// Runs `hipmm <args>` from the TypeScript sources as a real child process (tsx), for the CLI tests.
import { join } from "node:path";
import { type ProcessResult, runProcess } from "../helpers/process.ts";

export const ROOT = join(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "test", "e2e", "fixtures", "cli.ts");

export function hipmm(args: readonly string[], o: { env?: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number } = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, env: { ...process.env, HIPMM_DEBUG: "", ...o.env }, stdin: o.stdin, timeoutMs: o.timeoutMs ?? 30_000 });
}

/** Run `jobs` with at most `n` at a time (the machine is shared). */
export async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]();
      }
    }),
  );
  return out;
}
