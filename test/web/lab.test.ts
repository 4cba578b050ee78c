// The demo as a lab, in real Chromium: URL parameters validated with a visible message and a sane
// fallback; no horizontal overflow at 390 px; lab controls (links, actions) re-simulate the run
// deterministically and the URL reproduces it (same URL → same trace fingerprint, equal to the
// Node run of the same scenario + seed + spec). Screenshots: .tmp/web-lab-*.png.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { runLab } from "../../src/lab/scenarios.ts";
import { decodeActions, decodeLinks } from "../../src/lab/spec.ts";
import { wireFingerprint } from "../../web/demo/sources.ts";
import { chromiumSkip, withChromium } from "../helpers/browser.ts";
import { errors, serveDemo, shots } from "./site.ts";

const skip = chromiumSkip();
const site = serveDemo(skip);

const WIDE = { viewport: { width: 1440, height: 900 }, timeoutMs: 60_000 };
const PHONE = { viewport: { width: 390, height: 844 }, timeoutMs: 60_000 };

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('#status[data-state="loaded"]');
  await page.waitForFunction(() => ["ready", "paused", "done"].includes(window.hipmmDemo?.player ?? ""));
}

async function noOverflow(page: Page): Promise<void> {
  const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(sw <= iw, `page is ${sw} px wide in a ${iw} px viewport`);
}

test("URL parameters: bad values get a visible message and a working fallback", { skip }, async () => {
  await withChromium(async (page, log) => {
    // ?speed=50 (not in the list) used to leave the player "running" at t = 0 forever.
    await page.goto(`${site.url()}?scenario=base-exchange&speed=50&run=1`);
    await ready(page);
    await page.waitForFunction(() => (window.hipmmDemo?.t ?? 0) > 5, undefined, { timeout: 20_000 });
    assert.equal(await page.locator("#speed").inputValue(), "50");
    assert.equal(await page.locator("#url-msg").isHidden(), true, "a valid speed is no error");
    // Unknown scenario, bad seed, bad speed, bad at, unknown key: one message each, fallbacks used.
    await page.goto(`${site.url()}?scenario=nope&seed=-3&speed=fast&at=x&colour=red`);
    await ready(page);
    const msg = (await page.locator("#url-msg").textContent()) ?? "";
    assert.match(msg, /unknown scenario “nope”: showing “base-exchange”/);
    assert.match(msg, /seed “-3” is not an integer/);
    assert.match(msg, /speed “fast”.*using 25 ms\/s/);
    assert.match(msg, /at “x”/);
    assert.match(msg, /unknown URL parameter “colour”/);
    assert.equal(await page.locator("#scenario").inputValue(), "base-exchange");
    assert.equal(await page.locator("#speed").inputValue(), "25");
    assert.equal(await page.evaluate(() => window.hipmmDemo?.seed), 1);
    // The fallback run works.
    await page.selectOption("#speed", "Infinity");
    await page.click("#btn-run");
    await page.waitForSelector('#player[data-state="done"]');
    // A bad seed typed in the page: message and fallback, not a silent 0.
    await page.fill("#seed", "4294967296");
    await page.locator("#seed").dispatchEvent("change");
    await page.waitForFunction(() => /seed “4294967296” is not an integer/.test(document.getElementById("url-msg")?.textContent ?? ""));
    assert.equal(await page.locator("#seed").inputValue(), "1");
    // Bad lab entries in the URL: skipped with a message.
    await page.goto(`${site.url()}?scenario=handover&act=jump_A_10,move_Z_100,crash-fa_FA1_500&link=A-B_lat99999`);
    await ready(page);
    const m2 = (await page.locator("#url-msg").textContent()) ?? "";
    assert.match(m2, /action “jump_A_10”/);
    assert.match(m2, /link “A-B_lat99999”/);
    const lm = (await page.locator("#lab-msg").textContent()) ?? "";
    assert.match(lm, /move Z: only hosts A and B/);
    assert.match(lm, /crash-fa FA1: no Forwarding Agent FA1 in this scenario/);
    await page.screenshot({ path: join(shots, "web-lab-url-messages.png") });
    assert.deepEqual(errors(log), []);
  }, WIDE);
});

test("phone width (390 px): no horizontal overflow on any scenario view", { skip }, async () => {
  await withChromium(async (page, log) => {
    await page.goto(`${site.url()}?scenario=handover&compare=handover-fast`);
    await ready(page);
    await noOverflow(page);
    for (const id of ["base-exchange", "flood-attack-credit", "fa-crash"]) {
      await page.selectOption("#scenario", id);
      await page.waitForFunction((s) => window.hipmmDemo?.scenario === s && window.hipmmDemo.player === "ready", id, { timeout: 30_000 });
      await page.selectOption("#speed", "Infinity");
      await page.click("#btn-run");
      await page.waitForSelector('#player[data-state="done"]');
      await noOverflow(page);
    }
    // The lab controls work at phone width too (and keep the page narrow).
    await page.selectOption("#scenario", "handover");
    await page.waitForFunction(() => window.hipmmDemo?.scenario === "handover" && window.hipmmDemo.player === "ready", undefined, { timeout: 30_000 });
    await page.selectOption("#act-kind", "move");
    await page.selectOption("#act-node", "B");
    await page.fill("#act-t", "2000");
    await page.click("#act-add");
    await page.waitForFunction(() => window.hipmmDemo?.act === "move_B_2000" && window.hipmmDemo.player === "ready", undefined, { timeout: 30_000 });
    await page.selectOption("#compare", "handover-fast");
    await page.waitForSelector('#compare-body[data-ready="handover-fast"]', { timeout: 30_000 });
    await page.click("#btn-run");
    await page.waitForSelector('#player[data-state="done"]');
    await noOverflow(page);
    await page.screenshot({ path: join(shots, "web-lab-phone.png"), fullPage: true });
    assert.deepEqual(errors(log), []);
  }, PHONE);
});

test("lab controls: link and actions re-simulate; the share URL reproduces the run (= Node)", { skip }, async () => {
  let shared = "";
  let fingerprint = "";
  await withChromium(async (page, log) => {
    await page.goto(`${site.url()}?scenario=handover&seed=3`);
    await ready(page);
    const base = await page.evaluate(() => window.hipmmDemo?.url);
    // Link A ↔ B: 20 ms latency, 2 % loss, through the keyboard-accessible controls.
    await page.selectOption("#link-pair", "A-B");
    await page.fill("#link-lat", "20");
    await page.fill("#link-loss", "2");
    await page.click("#link-apply");
    await page.waitForFunction(() => window.hipmmDemo?.link === "A-B_lat20_loss2" && window.hipmmDemo.player === "ready");
    // Every action kind that fits a two-host scenario.
    for (const [kind, node, t] of [["move", "A", 1500], ["drop", "B", 1800], ["restore", "B", 1900], ["renumber", "B", 2100], ["forge-rea", "A", 2300], ["replay-i2", "B", 2400], ["flood", "B", 2500]] as const) {
      await page.selectOption("#act-kind", kind);
      await page.selectOption("#act-node", node);
      await page.fill("#act-t", String(t));
      await page.click("#act-add");
      await page.waitForFunction((a) => (window.hipmmDemo?.act ?? "").includes(a) && window.hipmmDemo?.player === "ready", `${kind}_${node}_${t}`, { timeout: 30_000 });
    }
    assert.equal(await page.locator("#act-list li").count(), 7);
    shared = (await page.evaluate(() => window.hipmmDemo?.url)) ?? "";
    assert.notEqual(shared, base);
    assert.equal(await page.locator("#share-link").getAttribute("href"), shared);
    await page.selectOption("#speed", "Infinity");
    await page.click("#btn-run");
    await page.waitForSelector('#player[data-state="done"]');
    fingerprint = (await page.evaluate(() => window.hipmmDemo?.fingerprint)) ?? "";
    // The actions happened: notes in the diagram, the attacks were rejected or answered.
    const seq = (await page.locator("#seq").textContent()) ?? "";
    for (const re of [/A moves 10\.9\.0\.1/, /B's interface 10\.0\.0\.2:10500 goes down/, /comes back/, /B renumbered/, /attacker 198\.51\.100\.66/, /replays the I2/, /flood: 100 copies/]) assert.match(seq, re);
    assert.ok(Number(await page.locator('[data-summary="rejected"]').textContent()) >= 1, "the forged REA is rejected");
    await page.screenshot({ path: join(shots, "web-lab-actions.png"), fullPage: true });
    // Removing an action re-simulates without it.
    await page.click('#act-list li[data-action="flood_B_2500"] button');
    await page.waitForFunction(() => !(window.hipmmDemo?.act ?? "").includes("flood") && window.hipmmDemo?.player === "ready");
    assert.equal(await page.locator("#act-list li").count(), 6);
    assert.deepEqual(errors(log), []);
  }, WIDE);
  // Same URL in a fresh browser → the same run, byte for byte; and the same as Node.
  const q = new URL(shared).searchParams;
  const e: string[] = [];
  const node = runLab("handover", Number(q.get("seed")), { links: decodeLinks(q.get("link") ?? "", e), actions: decodeActions(q.get("act") ?? "", e) });
  assert.deepEqual(e, []);
  assert.equal(wireFingerprint(node.result.trace), fingerprint, "Node run of the shared spec");
  await withChromium(async (page, log) => {
    await page.goto(`${site.origin()}${shared.replace(/^https?:\/\/[^/]+\//, "")}`);
    await ready(page);
    assert.equal(await page.locator("#act-list li").count(), 7);
    await page.selectOption("#speed", "Infinity");
    await page.click("#btn-run");
    await page.waitForSelector('#player[data-state="done"]');
    assert.equal(await page.evaluate(() => window.hipmmDemo?.fingerprint), fingerprint);
    assert.deepEqual(errors(log), []);
  }, WIDE);
});

test("lab controls: crash the FA in an FA scenario, with a link setting from the URL", { skip }, async () => {
  await withChromium(async (page, log) => {
    await page.goto(`${site.url()}?scenario=double-move&link=A-FA1_bw20000&act=crash-fa_FA2_500`);
    await ready(page);
    assert.equal(await page.locator("#url-msg").isHidden(), true);
    assert.equal(await page.locator("#link-list li").count(), 1);
    await page.selectOption("#speed", "Infinity");
    await page.click("#btn-run");
    await page.waitForSelector('#player[data-state="done"]');
    assert.match((await page.locator("#seq").textContent()) ?? "", /FA2 crashes/);
    assert.deepEqual(errors(log), []);
  }, WIDE);
});

test("flood-attack and flood-attack-credit are different runs", { skip }, async () => {
  await withChromium(async (page, log) => {
    const fps: string[] = [];
    for (const id of ["flood-attack", "flood-attack-credit"]) {
      await page.goto(`${site.url()}?scenario=${id}&seed=1&speed=instant&run=1`);
      await page.waitForSelector('#player[data-state="done"]', { timeout: 30_000 });
      fps.push((await page.evaluate(() => window.hipmmDemo?.fingerprint)) ?? "");
    }
    assert.notEqual(fps[0], fps[1]);
    assert.deepEqual(errors(log), []);
  }, WIDE);
});
