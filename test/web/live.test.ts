// Live mode in real Chromium (issue 14 item 5): the page's HIP host runs in a Worker, leases a
// locator from a real Forwarding Agent through WebTransport (the Deno FA) or a WebSocket, runs
// the base exchange with a Node UDP host and exchanges ESP datagrams with it; "move" drops the
// tunnel and comes back over the other transport (same FA: lease renewal) and then to the second
// FA (new locator: REA, AC/ACR). Every live control is driven from the keyboard; the sequence
// diagram, SA table and dissection show the real packets; the run's pcap + ESP keys decrypt in
// tshark; no horizontal overflow at 1440 and 390 px; no console error. One browser, one server
// and one set of FAs for the file. Screenshots: .tmp/web-live-*.png (printed).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { tsharkEspArgs } from "../../src/capture/esp-sa.ts";
import { type LiveLab, startLiveLab } from "../../src/lab/live-node.ts";
import { chromiumSkip, withChromium } from "../helpers/browser.ts";
import { denoSkip } from "../helpers/deno.ts";
import { tsharkFields, tsharkSkip } from "../helpers/tshark.ts";
import { errors, key, keySelect, noOverflow, serveDemo, shots, tabReachesEverything } from "./site.ts";

const skip = chromiumSkip() || denoSkip() || tsharkSkip();
const site = serveDemo(skip);
let lab: LiveLab | undefined;

before(async () => {
  if (skip) return;
  lab = await startLiveLab();
});
after(async () => {
  await lab?.close();
});

type Live = { state: string; attached?: string; replies: number; error?: string; flights: number };
const liveState = (page: Page) => page.evaluate(() => window.hipmmDemo?.live) as Promise<Live | undefined>;

async function waitLive(page: Page, what: string, pred: string, timeout = 20_000): Promise<void> {
  try {
    await page.waitForFunction(pred, undefined, { timeout });
  } catch (e) {
    throw new Error(`${what}: ${JSON.stringify(await liveState(page))} ${e instanceof Error ? e.message : e}`);
  }
}

async function save(page: Page, button: string, dir: string): Promise<string> {
  await page.focus(button);
  const [dl] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  const file = join(dir, dl.suggestedFilename());
  await dl.saveAs(file);
  return file;
}

test("live mode: a real host in a Worker through the FA, data both ways, moves (other transport, second FA), pcap decrypts", { skip, timeout: 90_000 }, async () => {
  writeFileSync(join(site.outDir(), "live.json"), JSON.stringify(lab!.config));
  const dir = mkdtempSync(join(tmpdir(), "hipmm-web-live-"));
  const files: Record<string, string> = {};
  const screens: string[] = [];
  const shot = async (page: Page, name: string) => {
    const path = join(shots, `web-live-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    screens.push(path);
  };
  await withChromium(async (page, log) => {
    // From the simulated page, switch the mode with the keyboard.
    await page.goto(site.url());
    await page.waitForSelector('#status[data-state="loaded"]');
    await keySelect(page, "#mode", "live");
    await waitLive(page, "config loaded", `window.hipmmDemo?.live?.state === "idle" && window.hipmmDemo?.mode === "live"`);
    assert.match(page.url(), /\?mode=live$/, "the share link names the mode");
    assert.ok(await page.locator("#scenario").isDisabled(), "simulator controls are off in live mode");
    assert.ok(await page.locator("#btn-reset").isDisabled(), "Reset (a new simulated run) is off in live mode");
    assert.ok(await page.locator("header .sub .live-only").isVisible(), "the subtitle says the host runs in a Worker");
    assert.ok(!(await page.locator("header .sub .sim-only").isVisible()), "…and not on the simulator");
    // Connect through FA1 over WebTransport (the Deno FA), with Enter on the button.
    await keySelect(page, "#live-via", "0:wt");
    await key(page, "#live-connect", ["Enter"]);
    await waitLive(page, "connected over WebTransport", `window.hipmmDemo?.live?.state === "connected" && window.hipmmDemo.live.replies >= 3`);
    assert.equal(await page.locator('[data-live="tunnel"]').textContent(), "webtransport");
    const lease1 = await page.locator('[data-live="lease"]').textContent();
    assert.equal(lease1, `127.0.0.1:${lab!.config.fas[0].udp.port}`, "leased FA1's shared locator");
    // Text typed and sent with Enter comes back echoed.
    await page.fill("#live-text", "typed in the lab");
    await key(page, "#live-text", ["Enter"]);
    await page.waitForFunction(() => /echo:typed in the lab/.test(document.getElementById("live-replies")?.textContent ?? ""));
    assert.ok(lab!.received.includes("typed in the lab"), "the UDP peer got it");
    // The send button and the ping checkbox, by keyboard.
    await key(page, "#live-stream", ["Space"]);
    assert.equal(await page.locator("#live-stream").isChecked(), false);
    const before = (await liveState(page))!.replies;
    await key(page, "#live-send", ["Enter"]);
    await waitLive(page, "echo of Send", `window.hipmmDemo.live.replies > ${before}`);
    await key(page, "#live-stream", ["Space"]);
    // The real packets in the views: base exchange and ESP arrows, the SA table, a dissection.
    await page.waitForSelector('#seq .row.msg[data-label="FAQ"]');
    await page.waitForSelector('#seq .row.msg[data-label="FAA"]');
    await page.waitForSelector('#seq .row.msg[data-label="I1"]');
    await page.waitForSelector('#seq .row.msg[data-label="R2"]');
    await page.waitForSelector('#state-table [data-sa^="in:"]');
    await page.waitForSelector('#state-table [data-sa^="out:"]');
    await shot(page, "connected");
    // Every control of the live page takes the focus from the keyboard (the view paused).
    await key(page, "#btn-pause", ["Enter"]);
    assert.ok((await tabReachesEverything(page)) >= 12);
    await key(page, "#btn-run", ["Enter"]);

    // Move 1: the tunnel drops, back to the same FA over the WebSocket: a renewal, same locator.
    await keySelect(page, "#live-move-to", "0:ws");
    await key(page, "#live-move", ["Enter"]);
    await waitLive(page, "moved to FA1 ws", `window.hipmmDemo.live.state === "connected" && window.hipmmDemo.live.attached === "0:ws"`);
    assert.equal(await page.locator('[data-live="tunnel"]').textContent(), "websocket");
    assert.equal(await page.locator('[data-live="lease"]').textContent(), lease1, "the renewal kept the locator");
    let n = (await liveState(page))!.replies;
    await waitLive(page, "data after move 1", `window.hipmmDemo.live.replies >= ${n + 3}`);

    // Move 2: to the second FA: a new lease and locator, announced to the peer in an REA.
    await keySelect(page, "#live-move-to", "1:ws");
    await key(page, "#live-move", ["Enter"]);
    await waitLive(page, "moved to FA2", `window.hipmmDemo.live.state === "connected" && window.hipmmDemo.live.attached === "1:ws"`);
    const lease2 = await page.locator('[data-live="lease"]').textContent();
    assert.equal(lease2, `127.0.0.1:${lab!.config.fas[1].udp.port}`, "leased FA2's locator");
    n = (await liveState(page))!.replies;
    await waitLive(page, "data after move 2", `window.hipmmDemo.live.replies >= ${n + 3}`);
    await page.waitForSelector('#seq .row.msg[data-label^="REA"]');
    await page.waitForFunction((l) => (document.querySelector("#state-table [data-path]")?.textContent ?? "").startsWith(l), lease2);
    await shot(page, "moved");

    // The player controls on the live run: pause, step, the time slider, follow again.
    await key(page, "#btn-pause", ["Enter"]);
    assert.equal(await page.evaluate(() => window.hipmmDemo?.player), "paused");
    await page.focus("#scrub");
    await page.keyboard.press("Home");
    assert.ok((await page.evaluate(() => window.hipmmDemo?.t ?? 1)) < 1, "slider back to the start");
    await key(page, "#btn-step", ["Enter"]);
    assert.ok((await page.evaluate(() => window.hipmmDemo?.t ?? 0)) > 0, "step went forward");
    // Dissect the REA (keyboard: Enter on its arrow), the slider at the end.
    await page.focus("#scrub");
    await page.keyboard.press("End");
    const rea = page.locator('#seq .row.msg[data-label^="REA"] .arrow').first();
    await rea.focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /LOCATOR|REA/.test(document.getElementById("dissection")?.textContent ?? ""));
    await shot(page, "dissection");
    await key(page, "#btn-run", ["Enter"]);
    assert.equal(await page.evaluate(() => window.hipmmDemo?.player), "running");

    // Downloads of the live run (keyboard).
    files.raw = await save(page, "#dl-pcap-raw", dir);
    files.udp = await save(page, "#dl-pcap", dir);
    files.keys = await save(page, "#dl-keys", dir);
    await noOverflow(page);

    // Phone width: nothing wider than the screen; the controls work there too — every one takes
    // the focus, and a third move (back to FA1 over WebTransport) and a Send, by keyboard.
    await page.setViewportSize({ width: 390, height: 844 });
    await noOverflow(page);
    await key(page, "#btn-pause", ["Enter"]);
    assert.ok((await tabReachesEverything(page)) >= 12);
    await key(page, "#btn-run", ["Enter"]);
    await keySelect(page, "#live-move-to", "0:wt");
    await key(page, "#live-move", ["Enter"]);
    await waitLive(page, "moved back to FA1 wt", `window.hipmmDemo.live.state === "connected" && window.hipmmDemo.live.attached === "0:wt"`);
    assert.equal(await page.locator('[data-live="tunnel"]').textContent(), "webtransport");
    await page.fill("#live-text", "from a phone");
    await key(page, "#live-send", ["Enter"]);
    await page.waitForFunction(() => /echo:from a phone/.test(document.getElementById("live-replies")?.textContent ?? ""));
    await noOverflow(page);
    await shot(page, "phone");

    // Disconnect (releases the lease), then back to the simulated mode.
    await key(page, "#live-stop", ["Enter"]);
    await waitLive(page, "stopped", `window.hipmmDemo.live.state === "stopped"`);
    await keySelect(page, "#mode", "sim");
    await page.waitForFunction(() => window.hipmmDemo?.mode === "sim" && ["ready", "paused", "done"].includes(window.hipmmDemo?.player ?? ""));
    assert.equal(await page.locator("#live-panel").isHidden(), true);
    await noOverflow(page);
    assert.deepEqual(errors(log), []);
  }, { viewport: { width: 1440, height: 900 }, timeoutMs: 80_000 });
  console.log(`# screenshots: ${screens.join(" ")}`);

  // tshark: HIP checksums good, ESP decrypted with the downloaded keys (ICV good) — real packets.
  const lines = readFileSync(files.keys, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
  assert.ok(lines.length >= 2, "keys of both SAs");
  const rows = await tsharkFields(files.raw, ["hip.type", "hip.checksum.status", "esp.spi", "esp.icv_good", "esp.icv_bad", "udp.srcport"], { args: tsharkEspArgs(lines), timeoutMs: 60_000 });
  let hip = 0;
  let esp = 0;
  rows.forEach(([type, csum, spi, good, bad], i) => {
    if (type.length) {
      hip++;
      assert.deepEqual(csum, ["1"], `frame ${i + 1}: HIP type ${type[0]} checksum good`);
    } else if (spi.length) {
      esp++;
      assert.deepEqual([good, bad], [["1"], ["0"]], `frame ${i + 1}: ESP spi ${spi[0]} ICV good`);
    }
  });
  assert.ok(hip >= 4 && esp >= 10, `hip ${hip} esp ${esp}`);
});
