// Start workerd (node_modules/.bin/workerd) on a free loopback port, and bundle worker scripts.
// Ports: sockets in the config may say "127.0.0.1:0"; workerd reports the bound port on
// --control-fd ({"event":"listen","socket":NAME,"port":N}), which is our readiness signal.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { build } from "vite";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const workerdPath = join(repoRoot, "node_modules", ".bin", "workerd");

export interface WorkerdOptions {
  /** Socket whose URL is returned (default "http"). */
  socket?: string;
  /** Override socket addresses, e.g. { http: "127.0.0.1:0" } (workerd --socket-addr). */
  socketAddrs?: Record<string, string>;
  /** Give up waiting for all sockets to listen after this long; default 15 s. */
  readyTimeoutMs?: number;
  extraArgs?: string[];
}

export interface Workerd {
  /** http://127.0.0.1:PORT of `opts.socket`. */
  url: string;
  /** Bound port of every socket that reported listening. */
  ports: Record<string, number>;
  /** Everything workerd wrote to stdout/stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 3 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

/** node:test `skip` value: a message only if workerd is genuinely missing and env CI is unset. */
export function workerdSkip(): string | false {
  if (existsSync(workerdPath) || process.env.CI) return false;
  return `workerd binary missing at ${workerdPath} (npm install workerd)`;
}

/** `workerd serve CONFIG --control-fd=3`; resolves once `opts.socket` listens. */
export async function startWorkerd(configPath: string, opts: WorkerdOptions = {}): Promise<Workerd> {
  const socket = opts.socket ?? "http";
  const args = ["serve", configPath, "--control-fd=3"];
  for (const [name, addr] of Object.entries(opts.socketAddrs ?? {})) args.push(`--socket-addr=${name}=${addr}`);
  args.push(...(opts.extraArgs ?? []));
  const child = spawn(workerdPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  const ports: Record<string, number> = {};
  const stop = () => stopChild(child);
  try {
    await waitForListen(child, child.stdio[3] as Readable, socket, ports, opts.readyTimeoutMs ?? 15_000, () => out);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: `http://127.0.0.1:${ports[socket]}`, ports, output: () => out, stop };
}

function waitForListen(
  child: ChildProcess,
  control: Readable,
  socket: string,
  ports: Record<string, number>,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`workerd: ${why}\n${output()}`));
    };
    const timer = setTimeout(() => fail(`socket "${socket}" not listening after ${timeoutMs} ms`), timeoutMs);
    child.once("error", (e) => fail(e.message));
    child.once("exit", (code, sig) => fail(`exited early (code ${code}, signal ${sig})`));
    control.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
        if (line === "") continue;
        const msg = JSON.parse(line) as { event?: string; socket?: string; port?: number };
        if (msg.event === "listen" && msg.socket && msg.port) ports[msg.socket] = msg.port;
        if (ports[socket] !== undefined) {
          clearTimeout(timer);
          resolve();
        }
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 3_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Bundle a worker entry (TypeScript, imports src/*.ts) into ONE ES module at `outFile` with
 * Vite (rolldown). Imports ending in .wasm stay external: the capnp config supplies them as
 * `wasm` modules (precompiled WebAssembly.Module).
 */
export async function bundleWorker(entry: string, outFile: string): Promise<string> {
  mkdirSync(dirname(outFile), { recursive: true });
  await build({
    configFile: false,
    logLevel: "warn",
    root: repoRoot,
    publicDir: false,
    build: {
      ssr: entry,
      outDir: dirname(outFile),
      emptyOutDir: false,
      target: "es2022",
      minify: false,
      rolldownOptions: { external: [/\.wasm$/], output: { entryFileNames: basename(outFile), format: "es" } },
    },
    ssr: { target: "webworker", noExternal: true },
  });
  return outFile;
}
