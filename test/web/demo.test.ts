// The demo page (web/index.html) in real Chromium: the scenarios run the real protocol code in
// the page, and every number on screen equals the same run computed here in Node (same seed →
// same simulator run in both runtimes). Screenshots: .tmp/web-demo-*.png.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { dissectHip, isHipDissection } from "../../src/capture/dissect.ts";
import { runScenario } from "../../src/lab/scenarios.ts";
import { countAt } from "../../web/demo/counters.ts";
import { Player } from "../../web/demo/player.ts";
import { labSource, type Source, wireFingerprint } from "../../web/demo/sources.ts";
import { findScenario } from "../../web/demo/catalog.ts";
import { chromiumSkip, withChromium } from "../helpers/browser.ts";
import { errors, serveDemo, shots } from "./site.ts";

const skip = chromiumSkip();
const site = serveDemo(skip);

const VIEW = { viewport: { width: 1440, height: 900 }, timeoutMs: 20_000 };

/** Open the page with a scenario picked through the UI, ready to play. */
async function open(page: Page, scenario: string, seed: number, speed = "Infinity"): Promise<void> {
  await page.goto(site.url());
  await page.waitForSelector('#status[data-state="loaded"]');
  await page.waitForSelector('#player[data-state="ready"]');
  if ((await page.locator("#scenario").inputValue()) !== scenario) {
    await page.selectOption("#scenario", scenario);
    await page.waitForFunction((s) => window.hipmmDemo?.scenario === s && window.hipmmDemo.player === "ready", scenario);
  }
  if ((await page.locator("#seed").inputValue()) !== String(seed)) {
    await page.fill("#seed", String(seed));
    await page.locator("#seed").dispatchEvent("change");
    await page.waitForFunction((s) => window.hipmmDemo?.seed === s && window.hipmmDemo.player === "ready", seed);
  }
  await page.selectOption("#speed", speed);
}

async function counter(page: Page, id: string): Promise<string> {
  return (await page.locator(`[data-counter="${id}"]`).textContent()) ?? "";
}

/** The live counters the page shows, as computed in Node for the same source at time t. */
function expectedCounters(src: Source, t: number): Record<string, string> {
  const c = countAt(src, t);
  return {
    time: `${t.toFixed(1)} ms`,
    "hip-sent": String(c.hipSent),
    "hip-lost": String(c.hipLost),
    "esp-delivered": String(c.espDelivered),
    "esp-lost": String(c.espLost),
    probes: String(c.probesToUnverified),
  };
}

async function shownCounters(page: Page, ids: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of ids) out[id] = await counter(page, id);
  return out;
}

const BEX_SEED = 1;
async function nodeBex(seed = BEX_SEED): Promise<Source> {
  return await findScenario("base-exchange")!.build(seed);
}

test("demo: base exchange runs to completion in the page; counters equal the Node run", { skip }, async () => {
  const src = await nodeBex();
  src.advance(src.end);
  const want = expectedCounters(src, src.end);
  assert.ok(Number(want["esp-delivered"]) > 10, "the Node run itself delivers data");
  await withChromium(async (page, log) => {
    await open(page, "base-exchange", BEX_SEED);
    await page.click("#btn-run");
    await page.waitForSelector('#player[data-state="done"]');
    assert.deepEqual(await shownCounters(page, Object.keys(want)), want);
    assert.equal(await counter(page, "established"), `at ${Number(src.facts.established_ms).toFixed(1)} ms`);
    // Same seed → the very same datagrams, byte for byte, in Chromium and in Node.
    assert.equal(await page.evaluate(() => window.hipmmDemo?.fingerprint), wireFingerprint(src.trace));
    // The sequence diagram shows the four-packet base exchange in order (RFC 7401 §4.1).
    const labels = await page.locator("#seq .row.msg").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-label")));
    assert.deepEqual(labels, ["I1", "R1", "I2", "R2"]);
    assert.ok((await page.locator("#seq .row.band").count()) >= 1, "ESP data band drawn");
    assert.match((await page.locator("#seq").textContent()) ?? "", /ESTABLISHED as Initiator/);
    assert.equal(await page.locator('[data-summary="pings_delivered"]').textContent(), String(src.facts.pings_delivered));
    assert.equal(await page.locator('[data-summary="echoes_delivered"]').textContent(), String(src.facts.echoes_delivered));
    await page.screenshot({ path: join(shots, "web-demo-bex.png"), fullPage: true });
    assert.deepEqual(errors(log), []);
  }, VIEW);
});

test("demo: Step walks the base exchange key moments, the same times as the Node player", { skip }, async () => {
  const src = await nodeBex();
  const p = new Player(src, () => {});
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    p.step();
    times.push(p.t);
  }
  // I1 arrives at 15 ms, R1 at 30, I2 at 45, R2 at 60 (15 ms links), first ESP at B at 75.
  assert.deepEqual(times, [15, 30, 45, 60, 75]);
  await withChromium(async (page, log) => {
    await open(page, "base-exchange", BEX_SEED, "25");
    for (const [i, t] of times.entries()) {
      await page.click("#btn-step");
      await page.waitForFunction((want) => window.hipmmDemo?.t === want, t);
      assert.equal(await counter(page, "time"), `${t.toFixed(1)} ms`);
      assert.equal(await page.locator("#player").getAttribute("data-state"), "paused");
      assert.deepEqual(await shownCounters(page, ["hip-sent", "esp-delivered"]), pick(expectedCounters(src, t), ["hip-sent", "esp-delivered"]));
      // At 15 ms I1 has arrived and R1 has just left B: it is the one packet on the network.
      if (i === 0) assert.deepEqual(await page.locator("#net .pkt.hip text").allTextContents(), ["R1"]);
    }
    assert.equal(await page.locator("#seq .row.msg").count(), src.log.flights.filter((f) => f.kind === "hip" && f.t0 <= times[4]).length);
    await page.screenshot({ path: join(shots, "web-demo-step.png") });
    // Run at 25 virtual ms per second without skipping quiet stretches, then Pause: the
    // playhead moved and then stays put.
    await page.selectOption("#speed", "25");
    await page.uncheck("#skip-idle");
    await page.click("#btn-run");
    await page.waitForFunction(() => (window.hipmmDemo?.t ?? 0) > 80);
    await page.click("#btn-pause");
    const paused = await page.evaluate(() => window.hipmmDemo?.t ?? 0);
    assert.equal(await page.locator("#player").getAttribute("data-state"), "paused");
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.hipmmDemo?.t), paused);
    assert.ok(paused > 80 && paused < src.end, `paused at ${paused}`);
    // Resume from the paused state with the keyboard (space) at full speed: the run finishes.
    await page.selectOption("#speed", "Infinity");
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press(" ");
    await page.waitForSelector('#player[data-state="done"]');
    src.advance(src.end);
    assert.equal(await counter(page, "esp-delivered"), expectedCounters(src, src.end)["esp-delivered"]);
    assert.deepEqual(errors(log), []);
  }, VIEW);
});

function pick(o: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

test("demo: clicking packets shows their dissection (HIP header, HITs, parameters; ESP SPI/seq)", { skip }, async () => {
  const src = await nodeBex();
  src.advance(src.end);
  const i1 = src.log.flights[0];
  const d = dissectHip(i1.data!.subarray(4));
  assert.ok(isHipDissection(d));
  const esp = src.log.flights.find((f) => f.kind === "esp")!;
  const spi = new DataView(esp.data!.buffer, esp.data!.byteOffset).getUint32(0);
  await withChromium(async (page, log) => {
    await open(page, "base-exchange", BEX_SEED);
    await page.click("#btn-run");
    await page.waitForSelector('#player[data-state="done"]');
    await page.click(`#seq .arrow[data-flight="${i1.id}"]`);
    const dis = page.locator("#dissection");
    await page.waitForFunction(() => document.getElementById("dissection")?.dataset.flight === "0");
    const text = (await dis.textContent()) ?? "";
    assert.match(text, /HIP header \(RFC 7401 §5\.1\)/);
    assert.match(text, /Packet Type\s*1 \(I1\)/);
    assert.ok(text.includes(d.senderHit) && text.includes(d.receiverHit), "both HITs shown");
    for (const p of d.params) assert.ok(text.includes(p.name), `parameter ${p.name} listed`);
    await page.screenshot({ path: join(shots, "web-demo-dissection.png"), fullPage: true });
    // R1 carries the puzzle and the Responder's host identity.
    await page.click(`#seq .row.msg[data-label="R1"] .arrow`);
    await page.waitForFunction(() => /PUZZLE/.test(document.getElementById("dissection")?.textContent ?? ""));
    assert.match((await dis.textContent()) ?? "", /HOST_ID[\s\S]*HIP_SIGNATURE_2/);
    // An ESP arrow: SPI and sequence number.
    await page.click(`#seq .arrow[data-flight="${esp.id}"]`);
    await page.waitForFunction((id) => document.getElementById("dissection")?.dataset.flight === String(id), esp.id);
    const espText = (await dis.textContent()) ?? "";
    assert.match(espText, /ESP \(RFC 4303 §2\)/);
    assert.ok(espText.includes(`0x${spi.toString(16).padStart(8, "0")}`), `SPI 0x${spi.toString(16)} shown`);
    assert.deepEqual(errors(log), []);
  }, VIEW);
});

test("demo: the src/lab handover scenario shows the lab's own numbers (same seed as in Node)", { skip }, async () => {
  const seed = 1;
  const run = runScenario("handover", seed);
  const lab = run.summary;
  const src = labSource("handover", seed);
  const want = expectedCounters(src, src.end);
  await withChromium(async (page, log) => {
    await open(page, "handover", seed);
    await page.click("#btn-run");
    await page.waitForSelector('#player[data-state="done"]');
    for (const k of ["delivered", "lost", "handover_ms", "handover_ms_from_mover", "ac_probes_to_unverified", "data_to_unverified"]) {
      assert.equal(await page.locator(`[data-summary="${k}"]`).textContent(), String(lab[k]), k);
    }
    assert.deepEqual(await shownCounters(page, Object.keys(want)), want);
    assert.equal(await page.evaluate(() => window.hipmmDemo?.fingerprint), wireFingerprint(run.trace), "same datagrams as the Node run");
    assert.equal(await counter(page, "handover"), `${Number(lab.handover_ms).toFixed(1)} ms`);
    // The readdressing exchange is in the diagram: REA, then AC, then ACR after the move.
    const labels = await page.locator("#seq .row.msg").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-label")));
    const afterMove = labels.slice(labels.lastIndexOf("REA"));
    assert.deepEqual([...new Set(afterMove)], ["REA", "AC", "ACR"]);
    assert.ok((await page.locator("#net .chip.gone").count()) === 1, "A's old address is shown gone");
    // Drag the time slider back to just after the REA left: REA on the wire, its dissection
    // lists the new address in REA_INFO (draft §6.1.1.1).
    const rea = src.log.flights.filter((f) => f.label === "REA").at(-1)!;
    await page.locator("#scrub").fill(String(rea.t0 + 2));
    await page.waitForFunction((t) => window.hipmmDemo?.t === t && window.hipmmDemo.player === "paused", rea.t0 + 2);
    assert.deepEqual(await page.locator("#net .pkt.hip text").allTextContents(), ["REA"]);
    await page.click("#net .pkt.hip");
    await page.waitForFunction((id) => document.getElementById("dissection")?.dataset.flight === String(id), rea.id);
    assert.match((await page.locator("#dissection").textContent()) ?? "", /REA_INFO[\s\S]*10\.9\.0\.1/);
    await page.screenshot({ path: join(shots, "web-demo-handover.png"), fullPage: true });
    assert.deepEqual(errors(log), []);
  }, VIEW);
});

test("demo: every scenario in the picker runs to completion without page errors", { skip, timeout: 100_000 }, async () => {
  await withChromium(async (page, log) => {
    await page.goto(site.url());
    await page.waitForSelector('#player[data-state="ready"]');
    const ids = await page.locator("#scenario option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.ok(ids.includes("base-exchange") && ids.includes("handover"), ids.join(","));
    await page.selectOption("#speed", "Infinity");
    for (const id of ids) {
      if (id !== (await page.locator("#scenario").inputValue())) {
        await page.selectOption("#scenario", id);
        await page.waitForFunction((s) => window.hipmmDemo?.scenario === s && window.hipmmDemo.player === "ready", id);
      }
      await page.click("#btn-run");
      await page.waitForSelector('#player[data-state="done"]');
      assert.ok(Number(await counter(page, "hip-sent")) > 0, `${id}: control packets shown`);
      assert.ok((await page.locator("#result-body tr").count()) > 0, `${id}: result shown`);
    }
    assert.deepEqual(errors(log), []);
    // Twelve runs simulated in the page: a deadline with room for a loaded machine.
  }, { ...VIEW, timeoutMs: 90_000 });
});
