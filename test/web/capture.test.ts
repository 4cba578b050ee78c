// The run taken to Wireshark, in real Chromium: the page's pcap downloads (UDP/10500 as on the
// wire, and raw IP) parse with parsePcap, hold one record per datagram the simulator sent, and
// tshark decodes them with the downloaded ESP keys: every HIP checksum good, every ESP ICV good.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { tsharkEspArgs } from "../../src/capture/esp-sa.ts";
import { parsePcap } from "../../src/capture/pcap.ts";
import { labSource } from "../../web/demo/sources.ts";
import { chromiumSkip, withChromium } from "../helpers/browser.ts";
import { errors, serveDemo, shots } from "./site.ts";
import { espDemuxLua, tsharkFields, tsharkSkip } from "../helpers/tshark.ts";

const skip = chromiumSkip() || tsharkSkip();
const site = serveDemo(skip);

async function save(page: Page, button: string, dir: string): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
  const file = join(dir, dl.suggestedFilename());
  await dl.saveAs(file);
  return file;
}

const FIELDS = ["hip.type", "hip.checksum.status", "esp.spi", "esp.icv_good", "esp.icv_bad"];

async function checkTshark(file: string, keys: string, lua: boolean): Promise<{ hip: number; esp: number }> {
  const lines = readFileSync(keys, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
  const rows = await tsharkFields(file, FIELDS, { args: tsharkEspArgs(lines), lua: lua ? [espDemuxLua] : [], timeoutMs: 60_000 });
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
  return { hip, esp };
}

test("downloads: pcap (UDP and raw IP) + ESP keys of the run; tshark: checksums and ICVs good", { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-web-dl-"));
  const src = labSource("handover", 1);
  const sent = src.trace.filter((e) => e.kind === "sent" && e.data).length;
  const files: Record<string, string> = {};
  await withChromium(async (page, log) => {
    await page.goto(`${site.url()}?scenario=handover&seed=1&speed=instant&run=1`);
    await page.waitForSelector('#player[data-state="done"]', { timeout: 30_000 });
    files.udp = await save(page, "#dl-pcap", dir);
    files.raw = await save(page, "#dl-pcap-raw", dir);
    files.keys = await save(page, "#dl-keys", dir);
    await page.click("#wireshark-help summary");
    assert.match((await page.locator("#wireshark-help").textContent()) ?? "", /esp_sa/);
    await page.screenshot({ path: join(shots, "web-capture.png"), fullPage: true });
    assert.deepEqual(errors(log), []);
  }, { viewport: { width: 1440, height: 900 }, timeoutMs: 60_000 });
  assert.match(files.udp, /hipmm-handover-seed1\.pcap$/);
  for (const f of [files.udp, files.raw]) {
    const cap = parsePcap(new Uint8Array(readFileSync(f)));
    assert.ok("records" in cap, `${f}: ${JSON.stringify(cap)}`);
    assert.equal(cap.records.length, sent, `${f}: one record per datagram sent`);
  }
  assert.ok(src.keys!.length >= 2);
  const raw = await checkTshark(files.raw, files.keys, false);
  assert.ok(raw.hip >= 8 && raw.esp > 1000, JSON.stringify(raw));
  const udp = await checkTshark(files.udp, files.keys, true);
  assert.deepEqual(udp, raw, "the UDP capture decodes the same with the demultiplexer");
});

test("downloads: the live base-exchange run's keys decrypt its ESP", { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-web-dl-"));
  const files: Record<string, string> = {};
  await withChromium(async (page, log) => {
    await page.goto(`${site.url()}?scenario=base-exchange&seed=1&speed=instant&run=1`);
    await page.waitForSelector('#player[data-state="done"]', { timeout: 30_000 });
    files.raw = await save(page, "#dl-pcap-raw", dir);
    files.keys = await save(page, "#dl-keys", dir);
    assert.deepEqual(errors(log), []);
  }, { viewport: { width: 1440, height: 900 }, timeoutMs: 60_000 });
  const r = await checkTshark(files.raw, files.keys, false);
  assert.ok(r.hip === 4 && r.esp > 10, JSON.stringify(r));
});

test("downloads: the rekey scenario's keys decrypt every ESP packet, before and after each rekey", { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-web-dl-"));
  const files: Record<string, string> = {};
  await withChromium(async (page, log) => {
    await page.goto(`${site.url()}?scenario=rekey&seed=1&speed=instant&run=1`);
    await page.waitForSelector('#player[data-state="done"]', { timeout: 30_000 });
    files.raw = await save(page, "#dl-pcap-raw", dir);
    files.keys = await save(page, "#dl-keys", dir);
    assert.deepEqual(errors(log), []);
  }, { viewport: { width: 1440, height: 900 }, timeoutMs: 60_000 });
  // Base exchange pair and two rekeys, each side's view: at least 3 SAs each way per host.
  const keyLines = readFileSync(files.keys, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
  assert.ok(keyLines.length >= 12, `esp_sa lines: ${keyLines.length}`);
  const r = await checkTshark(files.raw, files.keys, false);
  assert.ok(r.esp > 5000, JSON.stringify(r));
});
