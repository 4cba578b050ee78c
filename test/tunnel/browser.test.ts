// A full HIP host in real Chromium (web/tunnel/, Vite-built: HostStack + WASM data plane)
// reaching a Node UDP host through a Forwarding Agent: over WebTransport datagrams to the Deno
// FA server (src/cli/fa-deno.ts), and over a WebSocket to the Node `hipmm fa` process.
// Each run: lease through the tunnel, base exchange, three datagrams out and their echoes
// back (one too big for a WebTransport datagram), the UDP host sees the leased locator.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { hex } from "../../src/core/bytes.ts";
import { hitToString } from "../../src/hip/hit.ts";
import { PAGE_MESSAGES } from "../../web/tunnel/exchange.ts";
import type { TunnelPageResult } from "../../web/tunnel/main.ts";
import { buildAndServe, chromiumSkip, type Served, withChromium } from "../helpers/browser.ts";
import { selfSignedCert } from "../helpers/cert.ts";
import { denoPath, denoSkip } from "../helpers/deno.ts";
import { type EchoPeer, type FaProcess, freeUdpPort, spawnFa, startEchoPeer } from "./harness.ts";

const skip = chromiumSkip() || denoSkip();
const MESSAGES = PAGE_MESSAGES;
let site: Served | undefined;
let dir = "";

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "hipmm-tunnel-"));
  site = await buildAndServe("tunnel");
});

after(async () => {
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function runPage(fa: FaProcess, peer: EchoPeer, query: Record<string, string>): Promise<TunnelPageResult> {
  let result: TunnelPageResult | undefined;
  await withChromium(
    async (page) => {
      const q = new URLSearchParams({ ...query, fa: `127.0.0.1:${fa.ready.udp[0].port}`, peer: `${peer.locator.ip}:${peer.locator.port}`, peerHit: hitToString(peer.host.hit) });
      await page.goto(`${site!.url}?${q}`);
      await page.waitForFunction(() => window.hipmmTunnel !== undefined, null, { timeout: 20_000 });
      result = (await page.evaluate(() => window.hipmmTunnel)) as TunnelPageResult;
    },
    { timeoutMs: 28_000 },
  );
  return result!;
}

function check(r: TunnelPageResult, fa: FaProcess, peer: EchoPeer): void {
  assert.equal(r.error, undefined, JSON.stringify(r));
  assert.ok(r.ok, JSON.stringify(r));
  const leased = { ip: "127.0.0.1", port: fa.ready.udp[0].port };
  assert.deepEqual(r.lease?.locator, leased);
  assert.ok(r.spiIn! >= r.lease!.spiMin && r.spiIn! <= r.lease!.spiMax, "inbound SPI from the leased range");
  assert.equal(r.established, hitToString(peer.host.hit));
  // Datagrams, not a stream: the oversized one (a stream record over WebTransport) may overtake.
  assert.deepEqual([...r.replies!].sort(), MESSAGES.map((m) => `echo:${m}`).sort(), "data both ways");
  // The UDP host saw the browser host at the FA's leased locator, for HIP and for ESP.
  assert.deepEqual(peer.established.map((e) => e.peer), [leased]);
  assert.deepEqual(peer.got.map((m) => m.from), MESSAGES.map(() => leased));
  assert.deepEqual(peer.got.map((m) => m.data.length).sort(), MESSAGES.map((m) => m.length).sort());
  // The page released its lease before closing the tunnel (§4.4.1).
  assert.ok(fa.lines.some((l) => l.includes('"lease released"')), fa.lines.join("\n"));
}

test("browser: WebTransport tunnel to the Deno FA, HIP + ESP with a Node UDP host", { skip, timeout: 30_000 }, async () => {
  const cert = selfSignedCert();
  writeFileSync(join(dir, "cert.pem"), cert.certPem);
  writeFileSync(join(dir, "key.pem"), cert.keyPem, { mode: 0o600 });
  const t0 = performance.now();
  const fa = await spawnFa(denoPath, ["run", "--unstable-net", "-A", "src/cli/fa-deno.ts", "--udp", "127.0.0.1:0", "--wt", "127.0.0.1:0", "--cert", join(dir, "cert.pem"), "--key", join(dir, "key.pem"), "--puzzle", "off"]);
  const peer = await startEchoPeer();
  try {
    const r = await runPage(fa, peer, { kind: "wt", url: `https://127.0.0.1:${fa.ready.wt!.port}/hipmm`, hash: hex(cert.sha256) });
    check(r, fa, peer);
    assert.equal(r.tunnelKind, "webtransport");
    assert.equal(r.tunnel?.records, 1, "the 1300-byte datagram went as a stream record");
    assert.ok(r.tunnel!.datagrams! >= 4, "the rest as WebTransport datagrams");
    console.log(`# wt: base exchange ${r.bexMs} ms, 3 round trips ${r.rttMs} ms, test ${Math.round(performance.now() - t0)} ms`);
  } finally {
    await fa.kill();
    await peer.host.close();
  }
});

test("browser: WebSocket tunnel (fallback from WebTransport) to the Node `hipmm fa`, HIP + ESP with a Node UDP host", { skip, timeout: 30_000 }, async () => {
  const port = await freeUdpPort();
  const t0 = performance.now();
  const fa = await spawnFa(process.execPath, ["--import", "tsx", "test/fa/fixtures/fa-cli.ts", "--id", join(dir, "fa.key"), "--udp", `127.0.0.1:${port}`, "--ws", "127.0.0.1:0", "--puzzle", "off", "--log", "json"]);
  const peer = await startEchoPeer();
  try {
    // kind=auto: WebTransport first (nothing listens there: QUIC to a closed port), then the WebSocket.
    const closed = await freeUdpPort();
    const r = await runPage(fa, peer, { kind: "auto", url: `https://127.0.0.1:${closed}/hipmm`, ws: `ws://127.0.0.1:${fa.ready.ws!.port}` });
    check(r, fa, peer);
    assert.equal(r.tunnelKind, "websocket", "fell back to the WebSocket");
    console.log(`# ws: base exchange ${r.bexMs} ms, 3 round trips ${r.rttMs} ms, test ${Math.round(performance.now() - t0)} ms`);
  } finally {
    await fa.kill();
    await peer.host.close();
  }
});
