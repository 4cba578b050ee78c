// The API reference (`npm run docs:api`, typedoc): every entry point of package.json `exports`
// — the public ones (hipmm, hipmm/node, hipmm/deno, hipmm/browser, hipmm/worker; typedoc.json)
// and the layers (hipmm/fa, hipmm/wire … hipmm/capture, hipmm/esp-worker; typedoc.layers.json)
// — with every public name documented (validation.notDocumented + treatWarningsAsErrors, no
// kind exempted), no broken {@link}; the public entries also reference no unexported type. Then
// every relative link in the generated HTML must name a file that exists.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { runProcess } from "../helpers/process.ts";
import { repoRoot } from "./pack.ts";

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? htmlFiles(join(dir, e.name)) : e.name.endsWith(".html") ? [join(dir, e.name)] : []));
}

interface TypedocConfig {
  entryPoints: string[];
  treatWarningsAsErrors?: boolean;
  requiredToBeDocumented?: string[];
  intentionallyNotDocumented?: string[];
  validation?: Record<string, boolean>;
}
const config = (f: string): TypedocConfig => JSON.parse(readFileSync(join(repoRoot, f), "utf8")) as TypedocConfig;
const PUBLIC = config("typedoc.json");
const LAYERS = config("typedoc.layers.json");

test("typedoc configs: every package.json entry point is in one, each requires every public name documented", () => {
  for (const [name, c] of [["typedoc.json", PUBLIC], ["typedoc.layers.json", LAYERS]] as const) {
    assert.equal(c.treatWarningsAsErrors, true, `${name}: treatWarningsAsErrors`);
    assert.equal(c.validation?.notDocumented, true, `${name}: validation.notDocumented`);
    assert.equal(c.validation?.invalidLink, true, `${name}: validation.invalidLink`);
    // typedoc's default kinds (classes, interfaces, functions, methods, properties, accessors,
    // variables, type aliases, enums and their members): none may be exempted or listed away.
    assert.equal(c.requiredToBeDocumented, undefined, `${name}: requiredToBeDocumented narrows the kinds checked`);
    assert.equal(c.intentionallyNotDocumented, undefined, `${name}: intentionallyNotDocumented`);
  }
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { exports: Record<string, string | { types?: string }> };
  const documented = new Set([...PUBLIC.entryPoints, ...LAYERS.entryPoints]);
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target === "string") continue; // hipmm.wasm, package.json
    const src = target.types?.replace(/^\.\/dist\//, "src/").replace(/\.d\.ts$/, ".ts");
    assert.ok(src && documented.has(src), `hipmm${sub.slice(1)} (${src}) is in typedoc.json or typedoc.layers.json`);
  }
});

test("npm run docs:api: typedoc without warnings, every public name documented, no broken links", { timeout: 600_000 }, async () => {
  const r = await runProcess("npm", ["run", "-s", "docs:api"], { cwd: repoRoot, timeoutMs: 540_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 0, out);
  assert.doesNotMatch(out, /\[warning\]|\[error\]/, out);
  assert.doesNotMatch(out, /does not have any documentation/, out);
  const root = join(repoRoot, "build", "api");
  const index = readFileSync(join(root, "index.html"), "utf8");
  for (const m of ["index", "entry/node", "entry/deno", "entry/browser", "entry/worker"]) assert.ok(index.includes(m), `module ${m} in the reference`);
  const layers = readFileSync(join(root, "layers", "index.html"), "utf8");
  for (const m of ["fa", "wire", "wasm", "esp", "hip", "mobility", "transport", "runtime", "runtime-node", "runtime-deno", "sim", "capture"]) {
    assert.ok(existsSync(join(root, "layers", "modules", `entry_${m}.html`)) && layers.includes(`entry/${m}`), `layer module entry/${m} in the reference`);
  }
  assert.ok(existsSync(join(root, "layers", "modules", "esp_worker.html")), "hipmm/esp-worker in the reference");
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
  // The FA server (hipmm/fa) is documented down to its options.
  const faServer = readFileSync(join(root, "layers", "classes", "entry_fa.FaServer.html"), "utf8");
  assert.match(faServer, /Forwarding Agent server for Node/);
  console.log(`# API reference: ${files.length} HTML pages (public + layers), no warnings, every name documented, no broken links`);
});
