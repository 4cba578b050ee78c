// ESP data plane in real Chromium: web/esp/ built by Vite, served with COOP/COEP; vectors in
// the page and a batch sealed/opened in the ESP module Worker (same bytes as in-page).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EspCheck } from "../../web/esp/main.ts";
import { buildAndServe, chromiumSkip, withChromium } from "../helpers/browser.ts";

test("browser: ESP Worker seals/opens like the in-page DataPlane; vectors pass", { skip: chromiumSkip() }, async () => {
  const site = await buildAndServe("esp");
  try {
    await withChromium(async (page) => {
      const res = await page.goto(site.url);
      assert.equal(res?.status(), 200);
      await page.waitForFunction(() => window.hipmmEsp !== undefined, null, { timeout: 15_000 });
      const r = (await page.evaluate(() => window.hipmmEsp)) as EspCheck;
      assert.deepEqual(r, {
        ok: true,
        vectors: { sha256: true, hmacSha1: true, cbc: true, gcm: true },
        workerSame: true,
        statuses: [0, 1, 0, 2],
        // Served cross-origin isolated: WorkerDataPlane.process uses the shared-memory ring.
        batches: { mode: "ring", ok: 1280, openedInPage: 1280 },
      });
    });
  } finally {
    await site.close();
  }
});
