// The packed package, as users get it: compile src/ into a staging copy of the package
// (fresh dist/, no source maps), `npm pack` it, and install the tarball into small projects
// without the network (`npm install --offline`: dependencies come from the npm cache that
// `npm ci` filled; no install scripts run, so nothing is compiled). The tarball is cached in
// .tmp/pkg/<hash of the inputs>/ and shared by the test files of one run (a mkdir lock).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const INPUTS = ["package.json", "tsconfig.json", "tsconfig.build.json", "LICENSE", "README.md", "bin", "src", "build/hipmm.wasm", "build/hipmm-relaxed.wasm"];

function files(p: string): string[] {
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p).sort().flatMap((e) => files(join(p, e)));
}

function inputsHash(): string {
  const h = createHash("sha256");
  for (const f of INPUTS.flatMap((i) => files(join(repoRoot, i)))) h.update(relative(repoRoot, f)).update("\0").update(readFileSync(f));
  return h.digest("hex").slice(0, 16);
}

export interface Packed {
  /** The .tgz file. */
  tarball: string;
  /** `npm pack --dry-run --json` of the staged package: files and sizes. */
  manifest: { files: { path: string; size: number }[]; size: number; unpackedSize: number; entryCount: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Build (once per input hash) and pack the package; bounded: gives up after `timeoutMs`. */
export async function packPackage(timeoutMs = 300_000): Promise<Packed> {
  const dir = join(repoRoot, ".tmp", "pkg", inputsHash());
  const done = join(dir, "packed.json");
  const lock = `${dir}.lock`;
  const t0 = Date.now();
  mkdirSync(dirname(dir), { recursive: true });
  while (!existsSync(done)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`packPackage: no tarball after ${timeoutMs} ms (lock ${lock})`);
    try {
      mkdirSync(lock);
    } catch {
      // Another test process is building; a lock older than the deadline is stale.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > timeoutMs) rmSync(lock, { recursive: true, force: true });
      await sleep(500);
      continue;
    }
    try {
      build(dir);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return JSON.parse(readFileSync(done, "utf8")) as Packed;
}

function build(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  // Tarballs of older inputs: drop those not touched for an hour (one per source change otherwise).
  for (const e of readdirSync(dirname(dir))) {
    const p = join(dirname(dir), e);
    if (Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { recursive: true, force: true });
  }
  const stage = join(dir, "package");
  mkdirSync(stage, { recursive: true });
  const wasm = spawnSync(process.execPath, ["scripts/build-wasm.mjs"], { cwd: repoRoot, encoding: "utf8" });
  if (wasm.status !== 0) throw new Error(`build-wasm failed\n${wasm.stderr}`);
  for (const f of ["package.json", "LICENSE", "README.md", "bin", "build/hipmm.wasm", "build/hipmm-relaxed.wasm"]) cpSync(join(repoRoot, f), join(stage, f), { recursive: true });
  const tsc = spawnSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", join(stage, "dist"), "--sourceMap", "false"], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 240_000,
  });
  if (tsc.status !== 0) throw new Error(`tsc failed\n${tsc.stdout}${tsc.stderr}`);
  const npm = (args: string[]) => execFileSync("npm", args, { cwd: stage, encoding: "utf8", timeout: 60_000, env: { ...process.env, npm_config_update_notifier: "false" } });
  const manifest = (JSON.parse(npm(["pack", "--dry-run", "--json", "--ignore-scripts"])) as Packed["manifest"][])[0];
  const packed = (JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", dir])) as { filename: string }[])[0];
  const out: Packed = { tarball: join(dir, packed.filename), manifest };
  writeFileSync(join(dir, "packed.json"), JSON.stringify(out));
}

/** hipmm's dependencies (package.json "dependencies"). */
export const RUNTIME_DEPS = Object.keys((JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies);

export interface InstallResult {
  dir: string;
  output: string;
}

/**
 * Copy an example project (examples/NAME) or write a package.json into a fresh `dir`, point
 * its "hipmm" dependency at the tarball and `npm install --offline` (no network; install
 * scripts only with `scripts`).
 */
export function installProject(dir: string, tarball: string, from?: string, opts: { scripts?: boolean } = {}): InstallResult {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (from) cpSync(from, dir, { recursive: true, filter: (s) => !s.includes("node_modules") });
  const pj = join(dir, "package.json");
  const pkg: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } = existsSync(pj) ? JSON.parse(readFileSync(pj, "utf8")) : { name: "hipmm-pkg-test", private: true, type: "module" };
  // hipmm's own dependencies as links into this repo's node_modules (what `npm ci` installed):
  // the install needs neither the network nor registry metadata in the npm cache.
  const local = Object.fromEntries(RUNTIME_DEPS.map((d) => [d, `file:${realpathSync(join(repoRoot, "node_modules", d))}`]));
  // Build tools (vite, esbuild, workerd) are the repo's own: tests call them, no install.
  delete pkg.devDependencies;
  pkg.dependencies = { ...pkg.dependencies, ...local, hipmm: `file:${tarball}` };
  writeFileSync(pj, JSON.stringify(pkg, null, 2));
  const r = spawnSync("npm", ["install", "--offline", "--no-audit", "--no-fund", ...(opts.scripts ? ["--foreground-scripts"] : ["--ignore-scripts"]), "--no-package-lock", "--loglevel=error"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  if (r.status !== 0) throw new Error(`npm install in ${dir} failed (${r.status ?? r.signal})\n${r.stdout}${r.stderr}`);
  return { dir, output: r.stdout + r.stderr };
}

/** Make one of the repo's dev tools (esbuild, vite…) importable from `dir` (a symlink, no install). */
export function linkTool(dir: string, name: string): void {
  const to = join(dir, "node_modules", name);
  mkdirSync(dirname(to), { recursive: true });
  rmSync(to, { recursive: true, force: true });
  symlinkSync(realpathSync(join(repoRoot, "node_modules", name)), to, "dir");
}
