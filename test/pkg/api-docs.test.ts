// The API reference (`npm run docs:api`, typedoc): the public entry points (hipmm,
// hipmm/node, hipmm/deno, hipmm/browser, hipmm/worker) with every name documented, no
// unexported type referenced, no broken {@link}; the layer entry points with no broken
// {@link} (typedoc.json / typedoc.layers.json: treatWarningsAsErrors). Then every relative
// link in the generated HTML must name a file that exists.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { runProcess } from "../helpers/process.ts";
import { repoRoot } from "./pack.ts";

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? htmlFiles(join(dir, e.name)) : e.name.endsWith(".html") ? [join(dir, e.name)] : []));
}

test("npm run docs:api: typedoc without warnings, every public name documented, no broken links", { timeout: 600_000 }, async () => {
  const r = await runProcess("npm", ["run", "-s", "docs:api"], { cwd: repoRoot, timeoutMs: 540_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 0, out);
  assert.doesNotMatch(out, /\[warning\]|\[error\]/, out);
  const root = join(repoRoot, "build", "api");
  const index = readFileSync(join(root, "index.html"), "utf8");
  for (const m of ["index", "entry/node", "entry/deno", "entry/browser", "entry/worker"]) assert.ok(index.includes(m), `module ${m} in the reference`);
  const files = htmlFiles(root);
  const broken: string[] = [];
  for (const f of files) {
    for (const [, href] of readFileSync(f, "utf8").matchAll(/href="([^"#?]+)[^"]*"/g)) {
      if (/^[a-z]+:/i.test(href) || href.startsWith("//")) continue;
      if (!existsSync(join(dirname(f), decodeURIComponent(href)))) broken.push(`${f.slice(root.length + 1)} → ${href}`);
    }
  }
  assert.deepEqual(broken.slice(0, 20), []);
  const api = readdirSync(join(root, "functions")).filter((n) => /createHost|udp|tunnel|workerTunnel/.test(n));
  assert.ok(api.length >= 4, `high-level functions documented: ${api.join(", ")}`);
  console.log(`# API reference: ${files.length} HTML pages (public + layers), no warnings, no broken links`);
});
