// The embedded WASM module survives bundlers: entry points that embed it register it as the
// default with a top-level useEmbeddedWasm() call (src/wasm/loader.ts), which Vite (rolldown)
// and esbuild would drop from a module package.json marks side-effect-free. Here apps that use
// only re-exported names (`new DataPlane()` from hipmm/esp, newDataPlane() from hipmm/runtime)
// are bundled from the packed tarball with both, and run: the default module is there. And the
// hipmm/worker entry, bundled the same way, carries no base64 copy.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { build as esbuild } from "esbuild";
import { build as vite } from "vite";
import { runProcess } from "../helpers/process.ts";
import { installProject, packPackage } from "./pack.ts";

const APPS: Record<string, string> = {
  esp: `import { DataPlane } from "hipmm/esp";\nconst dp = new DataPlane();\nconsole.log("ok", typeof dp.installSa);\n`,
  runtime: `import { newDataPlane } from "hipmm/runtime";\nconsole.log("ok", typeof newDataPlane().installSa);\n`,
};

test("bundled with vite and esbuild, hipmm/esp and hipmm/runtime keep the embedded WASM default; hipmm/worker has none", { timeout: 360_000 }, async () => {
  const { tarball } = await packPackage();
  const dir = mkdtempSync(join(tmpdir(), "hipmm-bundle-wasm-"));
  try {
    installProject(dir, tarball);
    for (const [name, src] of Object.entries(APPS)) {
      const entry = join(dir, `${name}.js`);
      writeFileSync(entry, src);
      await vite({
        configFile: false,
        logLevel: "warn",
        root: dir,
        publicDir: false,
        build: { ssr: entry, outDir: join(dir, "vite"), emptyOutDir: false, minify: false, rolldownOptions: { output: { entryFileNames: `${name}.mjs`, format: "es" } } },
        ssr: { target: "webworker", noExternal: true },
      });
      await esbuild({ entryPoints: [entry], outfile: join(dir, "esbuild", `${name}.mjs`), bundle: true, format: "esm", platform: "neutral", mainFields: ["module", "main"], logLevel: "warning" });
      for (const out of [join(dir, "vite", `${name}.mjs`), join(dir, "esbuild", `${name}.mjs`)]) {
        const r = await runProcess(process.execPath, [out], { cwd: dir, timeoutMs: 30_000 });
        assert.equal(r.code, 0, `${out}\n${r.stderr}`);
        assert.equal(r.stdout.trim(), "ok function", out);
      }
    }
    const worker = join(dir, "worker.js");
    writeFileSync(worker, `import { workerTunnel, createHost } from "hipmm/worker";\nexport { workerTunnel, createHost };\n`);
    await esbuild({ entryPoints: [worker], outfile: join(dir, "esbuild", "worker.mjs"), bundle: true, format: "esm", platform: "neutral", mainFields: ["module", "main"], conditions: ["workerd", "worker", "browser"], logLevel: "warning" });
    const text = readFileSync(join(dir, "esbuild", "worker.mjs"), "utf8");
    assert.doesNotMatch(text, /AGFzbQ[A-Za-z0-9+/=]{64}/, "no base64 WASM in a hipmm/worker bundle");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
