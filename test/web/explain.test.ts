// "Explain what happened", in real Chromium: arrows labelled with addresses and SPI, the per-host
// table of addresses/SAs following the time cursor, "data resumed" per direction (equal to the
// lab's own per-direction handover numbers), ESP inside an REA dissected, drop labels explained
// on hover, no text in the time column, and two runs side by side. Screenshots: .tmp/web-explain-*.png.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { labSource } from "../../web/demo/sources.ts";
import { chromiumSkip, withChromium } from "../helpers/browser.ts";
import { errors, serveDemo, shots } from "./site.ts";

const skip = chromiumSkip();
const site = serveDemo(skip);

const WIDE = { viewport: { width: 1440, height: 900 }, timeoutMs: 60_000 };

async function runToEnd(page: Page, query: string): Promise<void> {
  await page.goto(`${site.url()}?${query}&speed=instant&run=1`);
  await page.waitForSelector('#player[data-state="done"]', { timeout: 30_000 });
}

async function seek(page: Page, t: number): Promise<void> {
  await page.locator("#scrub").fill(String(t));
  await page.waitForFunction((x) => window.hipmmDemo?.t === x, t);
}

test("arrows carry addresses and SPIs; data resumed per direction = the lab's numbers; drops explained", { skip }, async () => {
  for (const id of ["handover", "handover-fast"] as const) {
    const src = labSource(id, 1);
    const s = src.summary!;
    await withChromium(async (page, log) => {
      await runToEnd(page, `scenario=${id}&seed=1`);
      // The REA after the move: from A's new address to B's, labelled on the arrow.
      const reaAddr = await page.locator('#seq .row.msg[data-label="REA"] .addr').allTextContents();
      assert.ok(reaAddr.some((x) => x.startsWith("10.9.0.1:10500 → 10.0.0.2:10500")), reaAddr.join("|"));
      const pairs = await page.locator("#seq .band-pair").allTextContents();
      assert.ok(pairs.some((x) => /^B→A: 10\.0\.0\.2:10500 → 10\.9\.0\.1:10500 · SPI 0x[0-9a-f]{8} ×\d+/.test(x)), pairs.slice(0, 6).join("|"));
      // "Data resumed" markers for both directions, equal to the lab's per-direction handover times.
      assert.equal(await page.locator('#seq .row.resumed[data-dir="A→B"]').count(), 1);
      assert.equal(await page.locator('#seq .row.resumed[data-dir="B→A"]').count(), 1);
      assert.equal(await page.locator('[data-resumed="A→B"]').textContent(), `A→B ${Number(s.handover_ms_from_mover).toFixed(1)} ms`);
      assert.equal(await page.locator('[data-resumed="B→A"]').textContent(), `B→A ${Number(s.handover_ms_to_mover).toFixed(1)} ms`);
      // Datagrams to A's old address: the band's lost count explains itself on hover.
      const why = await page.evaluate(() => [...document.querySelectorAll("#seq .band-label title")].map((t) => t.textContent ?? ""));
      assert.ok(why.some((w) => /no host owns the destination address/.test(w)), why.join("|"));
      if (id === "handover") await page.screenshot({ path: join(shots, "web-explain-handover.png"), fullPage: true });
      assert.deepEqual(errors(log), []);
    }, WIDE);
  }
});

test("host table follows the time cursor: the new address unverified, then verified after the ACR", { skip }, async () => {
  const src = labSource("handover", 1);
  const states = src.hosts!.B.states;
  const row = (t: number) => src.hosts!.B.at(t)?.peer.find((r) => r.addr === "10.9.0.1:10500")?.status;
  const tUnv = states.find((x) => x.t > 1000 && row(x.t) === "unverified")!.t;
  const tVer = states.find((x) => x.t > tUnv && row(x.t) === "active")!.t;
  await withChromium(async (page, log) => {
    await runToEnd(page, "scenario=handover&seed=1");
    const cell = page.locator('[data-host="B"] tr[data-peer-addr="10.9.0.1:10500"] td[data-status]');
    await seek(page, 990);
    assert.equal(await cell.count(), 0, "B does not know the new address before the REA");
    await seek(page, tUnv + 1);
    assert.equal(await cell.textContent(), "unverified");
    assert.match((await cell.getAttribute("title")) ?? "", /only AC probes/);
    assert.equal(await page.locator('[data-host="B"] tr[data-peer-addr="10.0.0.1:10500"] td[data-status]').textContent(), "deprecated");
    await seek(page, tVer + 1);
    assert.equal(await cell.textContent(), "verified");
    assert.match((await page.locator('[data-host="B"] [data-path]').textContent()) ?? "", /→ 10\.9\.0\.1:10500/);
    assert.equal(await page.locator('[data-host="A"] tr[data-sa]').count(), src.hosts!.A.at(tVer + 1)!.sas.length);
    await page.screenshot({ path: join(shots, "web-explain-state.png"), fullPage: true });
    // Back in time: the table goes back too.
    await seek(page, tUnv + 1);
    assert.equal(await cell.textContent(), "unverified");
    assert.deepEqual(errors(log), []);
  }, WIDE);
});

test("ESP inside the REA is dissected (SPI, sequence, the SA it names), not raw hex", { skip }, async () => {
  await withChromium(async (page, log) => {
    await runToEnd(page, "scenario=handover&seed=1");
    await page.locator('#seq .row.msg[data-label="REA"] .arrow').last().click();
    const p = page.locator('#dissection [data-param="ESP_DATAGRAM"]');
    await p.waitFor();
    assert.match((await p.locator("[data-esp-spi]").textContent()) ?? "", /^0x[0-9a-f]{8} → B's inbound SA \(suite \d+\)/);
    assert.match((await p.locator("[data-esp-seq]").textContent()) ?? "", /^\d+$/);
    assert.doesNotMatch((await p.textContent()) ?? "", /datagram[0-9a-f]{40}/);
    await page.screenshot({ path: join(shots, "web-explain-rea-esp.png"), fullPage: true });
    assert.deepEqual(errors(log), []);
  }, WIDE);
});

test("long runs with four nodes: no text enters the time column", { skip }, async () => {
  for (const vp of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
    await withChromium(async (page, log) => {
      await runToEnd(page, "scenario=fa-crash&seed=1&act=flood_B_2000");
      const bad = await page.evaluate(() => {
        const out: string[] = [];
        for (const el of document.querySelectorAll<SVGTextElement>("#seq text:not(.tl)")) {
          const b = el.getBBox();
          if (b.width > 0 && b.x < 60) out.push(`${el.getAttribute("class")} x=${b.x.toFixed(0)}: ${el.textContent?.slice(0, 40)}`);
        }
        return out;
      });
      assert.deepEqual(bad.slice(0, 5), [], `${vp.width} px`);
      assert.deepEqual(errors(log), []);
    }, { viewport: vp, timeoutMs: 60_000 });
  }
});

test("comparison view: handover vs handover-fast side by side, differences marked", { skip }, async () => {
  const a = labSource("handover", 1).summary!;
  const b = labSource("handover-fast", 1).summary!;
  await withChromium(async (page, log) => {
    await runToEnd(page, "scenario=handover&seed=1&compare=handover-fast");
    await page.waitForSelector('#compare-body[data-ready="handover-fast"]');
    const row = page.locator('#compare-body tr[data-key="handover_ms_to_mover"]');
    assert.equal(await row.locator('td[data-side="a"]').textContent(), String(a.handover_ms_to_mover));
    assert.equal(await row.locator('td[data-side="b"]').textContent(), String(b.handover_ms_to_mover));
    assert.equal(await row.getAttribute("class"), "diff");
    assert.equal(await page.locator('#compare-body tr[data-key="handover_ms_from_mover"]').getAttribute("class"), null);
    for (const side of ["a", "b"]) assert.ok((await page.locator(`.compare-col[data-side="${side}"] .row.msg[data-label="ACR"]`).count()) > 0, side);
    assert.match(await page.evaluate(() => location.search), /compare=handover-fast/);
    // Pick another one through the select: the view follows.
    await page.selectOption("#compare", "make-before-break");
    await page.waitForSelector('#compare-body[data-ready="make-before-break"]');
    await page.screenshot({ path: join(shots, "web-explain-compare.png"), fullPage: true });
    assert.deepEqual(errors(log), []);
  }, WIDE);
});

test("exercise: the answer is checked against the run on screen", { skip }, async () => {
  const src = labSource("handover", 1);
  const want = src.summary!.handover_ms_to_mover!;
  await withChromium(async (page, log) => {
    await runToEnd(page, "scenario=handover&seed=1");
    const form = page.locator('form[data-exercise="rtt-toward-mover"]');
    await form.locator("input").fill(String(want + 20));
    await form.locator("button").click();
    await page.waitForFunction(() => document.querySelector('form[data-exercise="rtt-toward-mover"] .verdict')?.getAttribute("data-ok") === "false");
    await form.locator("input").fill(String(want));
    await form.locator("input").press("Enter"); // keyboard only
    await page.waitForFunction(() => document.querySelector('form[data-exercise="rtt-toward-mover"] .verdict')?.getAttribute("data-ok") === "true");
    assert.match((await form.locator(".verdict").textContent()) ?? "", new RegExp(`^correct: ${want}\\. B must not send data`));
    await page.screenshot({ path: join(shots, "web-explain-exercise.png"), fullPage: true });
    assert.deepEqual(errors(log), []);
  }, WIDE);
});

test("keyboard: an arrow takes focus and Enter dissects it; FA-relayed data resumes as the lab measures", { skip }, async () => {
  const s = labSource("fa-crash", 1).summary!;
  await withChromium(async (page, log) => {
    await runToEnd(page, "scenario=fa-crash&seed=1");
    assert.equal(await page.locator('[data-resumed="A→B"]').textContent(), `A→B ${Number(s.handover_ms_from_mover).toFixed(1)} ms`);
    assert.equal(await page.locator('[data-resumed="B→A"]').textContent(), `B→A ${Number(s.handover_ms_to_mover).toFixed(1)} ms`);
    // Relay frames are named by what they carry (not "ESP" for the 00 00 00 FA marker).
    assert.ok((await page.locator("#seq .row.msg .addr", { hasText: "FA relay frame" }).count()) > 0);
    const arrow = page.locator('#seq .row.msg[data-label="FAQ"] .arrow').first();
    const id = await arrow.getAttribute("data-flight");
    await arrow.focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction((x) => document.getElementById("dissection")?.dataset.flight === x, id);
    assert.match((await page.locator("#dissection").textContent()) ?? "", /FAQ/);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-flight")), id, "focus stays on the arrow");
    assert.deepEqual(errors(log), []);
  }, WIDE);
});
