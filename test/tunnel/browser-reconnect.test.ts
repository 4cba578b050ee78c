// The browser's tunnel drops and comes back (issue 11 item 6), in real Chromium: the tunnel
// page (web/tunnel/, kind=reconnect) runs a HIP host over a WebSocket to a `hipmm fa` process,
// exchanges a datagram with a Node UDP host, and then the FA is SIGKILLed and restarted with its
// --store. The page has no reconnect code: it waits for the one `path-changed` event and sends
// again; the echo comes back through the same lease.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { hitToString } from "../../src/hip/hit.ts";
import type { ReconnectPageResult } from "../../web/tunnel/reconnect.ts";
import { buildAndServe, chromiumSkip, type Served, withChromium } from "../helpers/browser.ts";
import { type FaProcess, freeUdpPort, spawnFa, startEchoPeer } from "./harness.ts";

const skip = chromiumSkip();
let site: Served | undefined;
let dir = "";

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "hipmm-tunnel-reconnect-"));
  site = await buildAndServe("tunnel");
});

after(async () => {
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("browser: the WebSocket tunnel's FA is SIGKILLed and restarted (--store): the page's host comes back by itself, one path-changed, same lease", { skip, timeout: 90_000 }, async () => {
  const udp = await freeUdpPort();
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const ws = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const args = ["--import", "tsx", "test/fa/fixtures/fa-cli.ts", "--id", join(dir, "fa.key"), "--udp", `127.0.0.1:${udp}`, "--ws", `127.0.0.1:${ws}`, "--store", join(dir, "fa.db"), "--puzzle", "off", "--log", "json"];
  let fa: FaProcess = await spawnFa(process.execPath, args);
  const peer = await startEchoPeer();
  let r: ReconnectPageResult | undefined;
  try {
    await withChromium(
      async (page) => {
        const q = new URLSearchParams({ kind: "reconnect", fa: `127.0.0.1:${udp}`, ws: `ws://127.0.0.1:${ws}`, peer: `${peer.locator.ip}:${peer.locator.port}`, peerHit: hitToString(peer.host.hit) });
        await page.goto(`${site!.url}?${q}`);
        await page.waitForFunction(() => window.hipmmReconnectPhase === "first-done" || window.hipmmTunnel !== undefined, null, { timeout: 25_000 });
        await fa.kill();
        await new Promise((res) => setTimeout(res, 300));
        fa = await spawnFa(process.execPath, args);
        await page.waitForFunction(() => window.hipmmTunnel !== undefined, null, { timeout: 30_000 });
        r = (await page.evaluate(() => window.hipmmTunnel)) as unknown as ReconnectPageResult;
      },
      { timeoutMs: 80_000 },
    );
    assert.equal(r?.error, undefined, JSON.stringify(r));
    assert.ok(r!.ok, JSON.stringify(r));
    assert.equal(r!.first?.replies?.[0], "echo:before the drop");
    assert.equal(r!.changes?.length, 1, JSON.stringify(r!.changes));
    assert.equal(r!.changes![0].kind, "websocket");
    assert.equal(r!.changes![0].leaseChanged, false, "the restarted FA kept the lease (--store)");
    assert.deepEqual(r!.lease?.after, r!.lease?.before);
    assert.match(r!.after![0], /^echo:after the drop \d+$/);
    console.log(`# browser: tunnel back, outage ${r!.changes![0].outageMs} ms, ${r!.changes![0].attempts} round(s) after the restart`);
  } finally {
    await fa.kill();
    await peer.host.close();
  }
});
