// The published package: what `npm pack` puts in it, what `npm install` of it does in an empty
// (browser) project, and what its entry points export. Runs on the real tarball.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { installProject, packPackage, type Packed, RUNTIME_DEPS } from "./pack.ts";

/** The root entry point's names: the high-level API only. */
const ROOT_API = [
  "Association",
  "DEFAULT_PORT",
  "Host",
  "createHost",
  "createIdentity",
  "identityFromText",
  "identityToText",
];

let packed: Packed;
const dir = join(tmpdir(), `hipmm-pkg-${process.pid}`);
before(async () => {
  packed = await packPackage();
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("npm pack: dist, bin, the WASM, LICENSE and README only; no tests, sources or source maps", () => {
  const m = packed.manifest;
  const paths = m.files.map((f) => f.path);
  const allowed = (p: string) =>
    ["package.json", "LICENSE", "README.md", "build/hipmm.wasm", "build/hipmm-relaxed.wasm", "bin/hipmm.js"].includes(p) || (p.startsWith("dist/") && (p.endsWith(".js") || p.endsWith(".d.ts")));
  assert.deepEqual(paths.filter((p) => !allowed(p)), []);
  assert.deepEqual(paths.filter((p) => /(^|\/)test\/|\.test\.|\.map$|^src\/|^assembly\//.test(p)), []);
  // Every exports target is in the tarball.
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as { exports: Record<string, string | Record<string, string>> };
  const targets = Object.values(pkg.exports).flatMap((t) => (typeof t === "string" ? [t] : Object.values(t)));
  assert.deepEqual(targets.map((t) => t.replace(/^\.\//, "")).filter((t) => !paths.includes(t)), []);
  assert.ok(paths.includes("LICENSE"));
  console.log(`# npm pack: ${m.entryCount} files, ${(m.size / 1024).toFixed(0)} kB packed, ${(m.unpackedSize / 1024).toFixed(0)} kB unpacked`);
});

test("npm install of the tarball into an empty browser project: no optional packages, nothing compiled", () => {
  const r = installProject(dir, packed.tarball, undefined, { scripts: true });
  const nm = join(dir, "node_modules");
  const installed = readdirSync(nm).filter((d) => !d.startsWith(".")).flatMap((d) => (d.startsWith("@") ? readdirSync(join(nm, d)).map((s) => `${d}/${s}`) : [d]));
  for (const opt of ["better-sqlite3", "ws", "ioredis"]) assert.ok(!installed.includes(opt), `${opt} installed`);
  // Only hipmm and its runtime dependencies (@noble/hashes comes with @noble/curves).
  assert.deepEqual(installed.sort(), ["hipmm", ...RUNTIME_DEPS].sort());
  // Nothing to compile: no binding.gyp and no install scripts anywhere in the tree; no .node files.
  const offenders: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isSymbolicLink() && depth > 1) continue;
      if (e.name === "binding.gyp" || e.name.endsWith(".node")) offenders.push(p);
      if (e.name === "package.json") {
        const s = (JSON.parse(readFileSync(p, "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
        for (const k of ["preinstall", "install", "postinstall"]) if (s[k]) offenders.push(`${p}: ${k}`);
      }
      if ((e.isDirectory() || e.isSymbolicLink()) && statSync(p).isDirectory() && depth < 6) walk(p, depth + 1);
    }
  };
  walk(nm, 0);
  assert.deepEqual(offenders, []);
  assert.doesNotMatch(r.output, /gyp|prebuild|node-pre-gyp/);
});

/** Run a module in the installed project with Node; returns stdout (asserts exit 0). */
function runIn(code: string): string {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: dir, encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test("the root entry exports the high-level API only; every entry point loads in Node", () => {
  if (!existsSync(join(dir, "node_modules", "hipmm"))) installProject(dir, packed.tarball);
  const names = JSON.parse(runIn(`console.log(JSON.stringify(Object.keys(await import("hipmm")).sort()))`)) as string[];
  assert.deepEqual(names, [...ROOT_API].sort());
  console.log(`# hipmm root entry: ${names.length} runtime names (${names.join(", ")}) + types`);
  const entries = ["node", "runtime-node", "deno", "runtime-deno", "browser", "worker", "fa", "wire", "wasm", "esp", "hip", "mobility", "transport", "runtime", "sim", "capture"];
  const counts = JSON.parse(
    runIn(`const out = {}; for (const e of ${JSON.stringify(entries)}) out[e] = Object.keys(await import("hipmm/" + e)).length; console.log(JSON.stringify(out));`),
  ) as Record<string, number>;
  for (const e of entries) assert.ok(counts[e] > 0, `hipmm/${e} exports nothing`);
  console.log(`# entry points (names): ${JSON.stringify(counts)}`);
});

test("a missing optional package is named in the error (better-sqlite3, ws, ioredis)", () => {
  if (!existsSync(join(dir, "node_modules", "hipmm"))) installProject(dir, packed.tarball);
  const out = runIn(`
    import { RedisLeaseStore, SqliteLeaseStore, WsTunnelServer } from "hipmm/fa";
    const msgs = [];
    try { new SqliteLeaseStore(":memory:"); } catch (e) { msgs.push(e.message); }
    try { await WsTunnelServer.listen({ ip: "127.0.0.1", port: 0 }, { frame() {}, closed() {} }); } catch (e) { msgs.push(e.message); }
    try { await RedisLeaseStore.open({ url: "redis://127.0.0.1:1" }); } catch (e) { msgs.push(e.message); }
    console.log(JSON.stringify(msgs));`);
  const msgs = JSON.parse(out) as string[];
  assert.equal(msgs.length, 3, out);
  assert.match(msgs[2], /optional package "ioredis".*npm install ioredis/);
  assert.match(msgs[0], /optional package "better-sqlite3".*npm install better-sqlite3/);
  assert.match(msgs[1], /optional package "ws".*npm install ws/);
});
