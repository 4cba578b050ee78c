// The demo page skeleton (web/index.html): builds, renders, and its status line says the
// WASM module loaded. Screenshot: .tmp/web.png.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadWasmSync } from "../../src/wasm/loader.ts";
import { buildAndServe, chromiumSkip, repoRoot, withChromium } from "../helpers/browser.ts";

test("web demo: page renders and the status line reports the WASM module loaded", { skip: chromiumSkip() }, async () => {
  const site = await buildAndServe("");
  try {
    await withChromium(
      async (page, log) => {
        await page.goto(site.url);
        assert.equal(await page.title(), "hipmm — HIP mobility in your browser");
        const status = page.locator("#status");
        await page.waitForSelector('#status:not([data-state="pending"])', { timeout: 10_000 });
        assert.equal(await status.getAttribute("data-state"), "loaded", await status.textContent() ?? "");
        assert.equal(await status.textContent(), `WASM module loaded · ABI v${loadWasmSync().abiVersion()}`);
        assert.match((await page.locator("h1").textContent()) ?? "", /hipmm.*HIP mobility in your browser/);
        assert.equal(await page.locator("#diagram svg").count(), 1);
        assert.equal(await page.locator("#timeline").count(), 1);
        assert.match((await page.locator("#isolation").textContent()) ?? "", /^cross-origin isolated/);
        const dir = join(repoRoot, ".tmp");
        mkdirSync(dir, { recursive: true });
        await page.screenshot({ path: join(dir, "web.png"), fullPage: true });
        assert.deepEqual(
          log.lines.filter((l) => l.startsWith("error") || l.startsWith("pageerror")),
          [],
        );
      },
      { viewport: { width: 1280, height: 760 } },
    );
  } finally {
    await site.close();
  }
});
