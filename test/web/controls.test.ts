// Every control of the simulated mode, from the keyboard only, at 1440x900 and 390x844 (issue 14
// item 6 and its acceptance): each visible control is reached by Tab, and each is worked with
// keys (selects with arrows, buttons with Enter, check boxes with Space, the time slider with
// Home/arrows, the page's own keys space/→/r); no horizontal overflow after each change and no
// console error. At 390 px the seed, Reset and "r" (three more re-simulations) are only reached
// by Tab, not pressed again. The live mode's controls: live.test.ts. One browser for the file; screenshots
// .tmp/web-controls-*.png (printed).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { chromiumSkip, withChromium } from "../helpers/browser.ts";
import { errors, key, keySelect, noOverflow, serveDemo, shots, tabReachesEverything } from "./site.ts";

const skip = chromiumSkip();
const site = serveDemo(skip);

const tNow = (page: Page) => page.evaluate(() => window.hipmmDemo?.t ?? -1);

async function settled(page: Page, scenario: string): Promise<void> {
  await page.waitForFunction((s) => window.hipmmDemo?.scenario === s && ["ready", "paused", "done"].includes(window.hipmmDemo?.player ?? ""), scenario);
}

async function operateAll(page: Page, label: string, shotsTaken: string[]): Promise<void> {
  // Start on a base-exchange run (the lab panel is off), then pick the lab scenario by keyboard.
  await page.goto(`${site.url()}?scenario=base-exchange-lossy&seed=1`);
  await page.waitForSelector('#status[data-state="loaded"]');
  await settled(page, "base-exchange-lossy");
  const n = await tabReachesEverything(page);
  assert.ok(n >= 12, `${n} controls`);
  await keySelect(page, "#scenario", "handover");
  await settled(page, "handover");
  await noOverflow(page);
  // Seed: typed, committed with Enter (each re-simulates: once, on the wide screen).
  const full = label === "wide";
  if (full) {
    await key(page, "#seed", ["Control+A", "2", "Enter"]);
    await page.waitForFunction(() => window.hipmmDemo?.seed === 2);
    await settled(page, "handover");
  }
  // Speed and "skip quiet": slow and no skipping, so "running" lasts while we look.
  await keySelect(page, "#speed", "500");
  await keySelect(page, "#speed", "5");
  await key(page, "#skip-idle", ["Space"]);
  assert.equal(await page.locator("#skip-idle").isChecked(), false);
  // Run, Pause, Step, Reset with Enter.
  await key(page, "#btn-run", ["Enter"]);
  await page.waitForFunction(() => window.hipmmDemo?.player === "running");
  await key(page, "#btn-pause", ["Enter"]);
  await page.waitForFunction(() => window.hipmmDemo?.player === "paused");
  const t0 = await tNow(page);
  await key(page, "#btn-step", ["Enter"]);
  assert.ok((await tNow(page)) > t0, "Step moved forward");
  // The time slider: Home goes back to 0, ArrowRight moves on.
  await key(page, "#scrub", ["Home"]);
  assert.equal(await tNow(page), 0);
  await key(page, "#scrub", ["ArrowRight", "ArrowRight"]);
  assert.ok((await tNow(page)) > 0);
  if (full) {
    await key(page, "#btn-reset", ["Enter"]);
    await page.waitForFunction(() => window.hipmmDemo?.t === 0 && window.hipmmDemo?.player === "ready");
  }
  // The page's own keys, with the focus on the page: → steps, space runs and pauses, r resets.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => (window.hipmmDemo?.t ?? 0) > 0);
  await page.keyboard.press("Space");
  await page.waitForFunction(() => window.hipmmDemo?.player === "running");
  await page.keyboard.press("Space");
  await page.waitForFunction(() => window.hipmmDemo?.player === "paused");
  if (full) {
    await page.keyboard.press("r");
    await page.waitForFunction(() => window.hipmmDemo?.t === 0 && window.hipmmDemo?.player === "ready");
  }

  // Lab: a link setting (typed, Enter on "Set link"), then removed with its ✕ button.
  await keySelect(page, "#link-pair", "A-B");
  await key(page, "#link-lat", ["3", "0"]);
  await key(page, "#link-jit", ["2"]);
  await key(page, "#link-loss", ["1"]);
  await key(page, "#link-bw", ["5", "0"]);
  await key(page, "#link-apply", ["Enter"]);
  await page.waitForFunction(() => /link=A-B_lat30_jit2_loss1_bw50000/.test(location.search));
  await settled(page, "handover");
  await key(page, "#link-list button", ["Enter"]);
  await page.waitForFunction(() => !/link=/.test(location.search));
  await settled(page, "handover");
  // An action (kind, node, time typed), added and removed.
  await keySelect(page, "#act-kind", "drop");
  await keySelect(page, "#act-node", "B");
  await key(page, "#act-t", ["Control+A", "1", "7", "0", "0"]);
  await key(page, "#act-add", ["Enter"]);
  await page.waitForFunction(() => /act=drop_B_1700/.test(location.search));
  await settled(page, "handover");
  await noOverflow(page);
  await key(page, "#act-list button", ["Enter"]);
  await page.waitForFunction(() => !/act=/.test(location.search));
  await settled(page, "handover");
  // Run to the end (instant, skipping quiet stretches again), then the views of a finished run.
  await key(page, "#skip-idle", ["Space"]);
  assert.equal(await page.locator("#skip-idle").isChecked(), true);
  await keySelect(page, "#speed", "Infinity");
  await key(page, "#btn-run", ["Enter"]);
  await page.waitForSelector('#player[data-state="done"]');
  // An arrow of the sequence diagram: focus + Enter dissects it.
  const arrow = page.locator('#seq .row.msg[data-label="REA"] .arrow').first();
  await arrow.focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /REA/.test(document.getElementById("dissection")?.textContent ?? ""));
  // The share link points at this run.
  assert.equal(await page.locator("#share-link").getAttribute("href"), page.url());
  // Downloads by keyboard.
  for (const b of ["#dl-pcap", "#dl-pcap-raw", "#dl-keys"]) {
    await page.focus(b);
    const [dl] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    assert.match(dl.suggestedFilename(), full ? /^hipmm-handover-seed2/ : /^hipmm-handover-seed1/);
  }
  // The two "how to" boxes open with Enter on their summary.
  for (const d of ["#wireshark-help", ".explain-panel details.howto"]) {
    await key(page, `${d} summary`, ["Enter"]);
    assert.equal(await page.locator(d).getAttribute("open"), "");
  }
  // An exercise answered (wrong) from the keyboard: a verdict appears.
  const ex = page.locator("form[data-exercise] input").first();
  await ex.focus();
  await page.keyboard.type("1");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("form[data-exercise] .verdict")?.getAttribute("data-ok") !== null);
  // The comparison view, picked with the arrow keys.
  await keySelect(page, "#compare", "handover-fast");
  await page.waitForFunction(() => /compare=handover-fast/.test(location.search) && (document.getElementById("compare-body")?.textContent ?? "").length > 20);
  await noOverflow(page);
  const path = join(shots, `web-controls-${label}.png`);
  await page.screenshot({ path, fullPage: true });
  shotsTaken.push(path);
}

test("every control of the simulated mode works from the keyboard, at 1440x900 and 390x844, without overflow", { skip, timeout: 120_000 }, async () => {
  const shotsTaken: string[] = [];
  await withChromium(async (page, log) => {
    await operateAll(page, "wide", shotsTaken);
    await page.setViewportSize({ width: 390, height: 844 });
    await operateAll(page, "phone", shotsTaken);
    assert.deepEqual(errors(log), []);
  }, { viewport: { width: 1440, height: 900 }, timeoutMs: 110_000 });
  console.log(`# screenshots: ${shotsTaken.join(" ")}`);
});
