// ReconnectingTunnel (src/transport/reconnect.ts) on real sockets: backoff bounds from a seeded
// Rng, the first FA of the list that answers, giving up when told to, and a tunnel that stays
// silent (no PONG) declared dead and reopened.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import WebSocket, { WebSocketServer } from "ws";
import { SeededRng } from "../../src/core/rng.ts";
import { backoffDelay, ReconnectingTunnel, type TunnelOpener, type TunnelUp } from "../../src/transport/reconnect.ts";
import { WsTunnel } from "../../src/transport/tunnel.ts";

const opener: TunnelOpener = (e, _kind, ms) => WsTunnel.connect(e.webSocket!, WebSocket as unknown as new (u: string) => globalThis.WebSocket, ms);
const fa = { locator: { ip: "127.0.0.1", port: 10500 } };

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const p = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** A WebSocket server that accepts and never answers (a dead FA behind a live TCP proxy). */
async function mute(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  let n = 0;
  wss.on("connection", () => n++);
  return {
    port: (wss.address() as { port: number }).port,
    accepted: () => n,
    close: () => {
      for (const c of wss.clients) c.terminate();
      return new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

test("backoff: exponential from initialDelayMs, capped at maxDelayMs, jittered within [d·(1-jitter), d] by the Rng", () => {
  const rng = new SeededRng(7);
  const o = { initialDelayMs: 50, maxDelayMs: 500, factor: 2, jitter: 0.5 };
  const seen = new Set<number>();
  for (let n = 1; n <= 12; n++) {
    const d = Math.min(500, 50 * 2 ** (n - 1));
    for (let i = 0; i < 20; i++) {
      const w = backoffDelay(n, rng, o);
      assert.ok(w >= Math.floor(d / 2) && w <= d, `round ${n}: ${w} in [${d / 2}, ${d}]`);
      seen.add(w);
    }
  }
  assert.ok(seen.size > 50, "jittered: many different waits");
  // Same seed, same waits (no Math.random).
  const a = Array.from({ length: 5 }, (_, n) => backoffDelay(n + 1, new SeededRng(3), o));
  const b = Array.from({ length: 5 }, (_, n) => backoffDelay(n + 1, new SeededRng(3), o));
  assert.deepEqual(a, b);
});

test("first open: an FA that does not answer is skipped for the next one in the list", async () => {
  const dead = await closedPort();
  const live = await mute();
  try {
    const t = await ReconnectingTunnel.connect(
      [
        { fa, webSocket: `ws://127.0.0.1:${dead}` },
        { fa, webSocket: `ws://127.0.0.1:${live.port}` },
      ],
      new SeededRng(1),
      { pingIntervalMs: 0 },
      opener,
    );
    assert.equal(t.endpoint.webSocket, `ws://127.0.0.1:${live.port}`);
    assert.equal(t.kind, "websocket");
    assert.ok(t.up);
    await t.close(100);
    assert.ok(t.closed);
  } finally {
    await live.close();
  }
});

test("first open with no FA answering: rejects after one round (no giveUpAfterMs) or after giveUpAfterMs", async () => {
  const dead = await closedPort();
  await assert.rejects(ReconnectingTunnel.connect([{ fa, webSocket: `ws://127.0.0.1:${dead}` }], new SeededRng(1), {}, opener), /no tunnel to any FA after 1 round/);
  const t0 = performance.now();
  await assert.rejects(ReconnectingTunnel.connect([{ fa, webSocket: `ws://127.0.0.1:${dead}` }], new SeededRng(1), { giveUpAfterMs: 300, maxDelayMs: 50 }, opener), /no tunnel to any FA after [2-9]\d* round/);
  assert.ok(performance.now() - t0 >= 300);
});

test("a tunnel that goes silent (no PONG to our PINGs) is declared dead and reopened; a dead FA with giveUpAfterMs closes it", async () => {
  const m = await mute();
  const ups: TunnelUp[] = [];
  const downs: string[] = [];
  const closes: string[] = [];
  const t = await ReconnectingTunnel.connect([{ fa, webSocket: `ws://127.0.0.1:${m.port}` }], new SeededRng(2), { pingIntervalMs: 100, deadAfterMs: 300, maxDelayMs: 50, giveUpAfterMs: 400 }, opener);
  t.onUp = (u) => ups.push(u);
  t.onDown = (r) => downs.push(r);
  t.onClose = (r) => closes.push(r);
  try {
    for (let i = 0; i < 200 && ups.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(downs[0] ?? "", /no frame from the FA for \d+ ms/);
    assert.equal(ups[0]?.reconnected, true);
    assert.ok(m.accepted() >= 2, "a second connection was opened");
    assert.equal(t.reconnects, 1);
    assert.deepEqual(closes, [], "a repaired drop is no close");
    // Now the server goes away for good: the tunnel gives up after giveUpAfterMs and says so once.
    await m.close();
    for (let i = 0; i < 300 && closes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(closes.length, 1);
    assert.match(closes[0], /no tunnel to any FA/);
    assert.ok(t.closed);
    const before = t.sendErrors;
    t.send(new Uint8Array(8));
    assert.equal(t.sendErrors, before + 1, "sends on a closed tunnel are counted, not thrown");
  } finally {
    await t.close(0);
    await m.close().catch(() => {});
  }
});

test("an attempt that never completes (TCP accepted, no WebSocket handshake) is bounded by attemptTimeoutMs", async () => {
  const socks = new Set<import("node:net").Socket>();
  const silent = createServer((sock) => {
    socks.add(sock); // accepts, never answers the upgrade
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
  const port = (silent.address() as { port: number }).port;
  try {
    const t0 = performance.now();
    await assert.rejects(ReconnectingTunnel.connect([{ fa, webSocket: `ws://127.0.0.1:${port}` }], new SeededRng(4), { attemptTimeoutMs: 200 }, opener), /no answer after 200 ms/);
    assert.ok(performance.now() - t0 < 5000);
  } finally {
    for (const s of socks) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});
