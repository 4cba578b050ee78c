// The embedded WASM module is a default only where something registers it (src/wasm/loader.ts;
// shared code instantiates through src/wasm/instantiate.ts so that a hipmm/worker bundle has no
// base64 copy). A test, bench or page that reaches instantiate.ts without loader.ts, e.g. one
// that builds a HostStack or `new DataPlane()` from src/ directly, fails at run time with "no
// WASM module given". This check names such files up front (benches are not run by `npm test`):
// import "src/wasm/loader.ts" there (web pages: call its useEmbeddedWasm(), bundlers drop a
// bare import), or pass the module explicitly.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { build } from "esbuild";

const ROOT = join(import.meta.dirname, "..", "..");
/** Files that pass the module themselves and must not embed it (workerd binds it). */
const EXPLICIT = new Set(["test/workerd/tunnel-worker.ts"]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "dist" ? [] : tsFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

test("every test, bench, script and page that instantiates WASM from src/ also loads the embedded default", { timeout: 120_000 }, async () => {
  const entries = ["test", "bench", "scripts", "web"].flatMap((d) => tsFiles(join(ROOT, d)));
  const r = await build({
    entryPoints: entries,
    absWorkingDir: ROOT,
    outdir: join(ROOT, ".tmp", "wasm-default-check"), // nothing is written
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    packages: "external",
    external: ["*.wasm"],
    metafile: true,
    logLevel: "silent",
  });
  const missing: string[] = [];
  for (const out of Object.values(r.metafile.outputs)) {
    if (!out.entryPoint) continue;
    const ins = Object.keys(out.inputs);
    const file = relative(ROOT, join(ROOT, out.entryPoint));
    if (ins.includes("src/wasm/instantiate.ts") && !ins.includes("src/wasm/loader.ts") && !EXPLICIT.has(file)) missing.push(file);
  }
  assert.ok(entries.length > 100, `checked ${entries.length} files`);
  assert.deepEqual(missing.sort(), [], "these reach src/wasm/instantiate.ts but never load src/wasm/loader.ts (the embedded default)");
});
