// Run the npm-installed Deno (node_modules/.bin/deno) with a hard timeout.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ProcessResult, runProcess } from "./process.ts";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const denoPath = join(repoRoot, "node_modules", ".bin", process.platform === "win32" ? "deno.exe" : "deno");

export type DenoResult = ProcessResult;

export interface RunDenoOptions {
  /** Kill the process (SIGKILL) after this long; default 20 s. */
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
}

/**
 * node:test `skip` value: a message only when the deno binary is genuinely missing and we are
 * not on CI. On CI (env CI set) it returns false, so the test runs and fails loudly instead.
 */
export function denoSkip(): string | false {
  if (existsSync(denoPath) || process.env.CI) return false;
  return `deno binary missing at ${denoPath} (npm install deno)`;
}

/** `deno <args>` from the repo root; resolves when it exits or is killed at the deadline. */
export function runDeno(args: string[], opts: RunDenoOptions = {}): Promise<DenoResult> {
  return runProcess(denoPath, args, {
    timeoutMs: opts.timeoutMs ?? 20_000,
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", ...opts.env },
    stdin: opts.stdin ?? "",
  });
}
