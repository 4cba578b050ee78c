// Run the npm-installed Deno (node_modules/.bin/deno) with a hard timeout.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const denoPath = join(repoRoot, "node_modules", ".bin", process.platform === "win32" ? "deno.exe" : "deno");

export interface DenoResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

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
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(denoPath, args, {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: performance.now() - t0 });
    });
    child.stdin.on("error", () => {}); // EPIPE if deno exits without reading stdin
    child.stdin.end(opts.stdin ?? "");
  });
}
