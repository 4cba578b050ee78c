// The one WASM loader in Chromium: web/loader-check/ built by Vite, served with COOP/COEP,
// checked on the main thread (loadWasm) and in a module Worker (loadWasmSync).
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadWasmSync } from "../../src/wasm/loader.ts";
import type { LoaderCheck } from "../../web/loader-check/main.ts";
import { probe } from "../../web/loader-check/probe.ts";
import { buildAndServe, chromiumSkip, withChromium } from "../helpers/browser.ts";

const expected = probe(loadWasmSync());
const caps = { udp: false, webSocket: true, webTransport: true, sharedArrayBuffer: true };

test("browser: Vite-built page loads the module on the main thread and in a Worker", { skip: chromiumSkip() }, async () => {
  const site = await buildAndServe("loader-check");
  try {
    await withChromium(async (page) => {
      const res = await page.goto(site.url);
      assert.equal(res?.status(), 200);
      await page.waitForFunction(() => window.hipmmLoaderCheck !== undefined, null, { timeout: 10_000 });
      const r = (await page.evaluate(() => window.hipmmLoaderCheck)) as LoaderCheck;
      // COOP/COEP from the server make the page cross-origin isolated (SharedArrayBuffer).
      assert.deepEqual(r, {
        ok: true,
        crossOriginIsolated: true,
        info: { runtime: "browser", ...caps },
        probe: expected,
        worker: { probe: expected, info: { runtime: "webworker", ...caps } },
      });
      assert.equal(await page.locator("#result").getAttribute("data-state"), "done");
    });
  } finally {
    await site.close();
  }
});
