// Issue 9, FA WebSocket port and logs: 20,000 idle sockets exhausted descriptors; a client
// that never read while sending PINGs grew the FA to 706 MB; every refusal was a log line.
// Real sockets on loopback, limits made small for the test.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { test } from "node:test";
import WebSocket from "ws";
import { buildFaq } from "../../src/fa/core/messages.ts";
import { emitTunnelFrame, TunnelFrameType } from "../../src/wire/tunnel.ts";
import { frameHip } from "../../src/wire/framing.ts";
import { identity, startFa, udp, until } from "./fa-helpers.ts";

const WS_AT = { ip: "127.0.0.1", port: 0 };

function openWs(port: number): Promise<WebSocket | undefined> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  return new Promise((resolve) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", () => resolve(undefined));
    ws.once("close", () => resolve(undefined));
  });
}

/** A WebSocket client by hand: after the handshake it never reads again. */
async function deafClient(port: number): Promise<Socket> {
  const s = connect(port, "127.0.0.1");
  await once(s, "connect");
  s.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const head = await new Promise<string>((resolve) => {
    let buf = "";
    const on = (d: Buffer) => {
      buf += d.toString("latin1");
      if (buf.includes("\r\n\r\n")) {
        s.off("data", on);
        s.pause();
        resolve(buf);
      }
    };
    s.on("data", on);
  });
  assert.match(head, /^HTTP\/1\.1 101/);
  return s;
}

/** One masked client frame (RFC 6455 §5.2). */
function wsFrame(opcode: number, payload: Uint8Array): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n]) : Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 0xff]);
  const mask = randomBytes(4);
  const body = Buffer.alloc(n);
  for (let i = 0; i < n; i++) body[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

async function writeAll(s: Socket, frames: Buffer[]): Promise<void> {
  for (const f of frames) if (!s.write(f)) await once(s, "drain");
}

test("FA WebSocket: connections are capped (idle TCP and WebSockets alike), the port works again once they go", { timeout: 60_000 }, async () => {
  const { server } = await startFa({}, { ws: WS_AT, wsLimits: { maxConnections: 20, headersTimeoutMs: 1000 } });
  const port = server.wsLocator!.port;
  const opened: WebSocket[] = [];
  try {
    for (let i = 0; i < 60; i++) {
      const ws = await openWs(port);
      if (ws) opened.push(ws);
    }
    assert.equal(opened.length, 20, "20 of 60 WebSockets open");
    const st = server.stats().ws!;
    assert.equal(st.open, 20);
    assert.ok(st.refusedCap >= 40, `refused ${st.refusedCap}`);
    for (const ws of opened) ws.close();
    await until(() => server.stats().ws!.open === 0, "all closed");
    // idle raw TCP connections that never send a request are closed by the header timeout
    const idle: Socket[] = [];
    for (let i = 0; i < 30; i++) idle.push(connect(port, "127.0.0.1"));
    await Promise.all(idle.map((s) => once(s, "close")));
    const ws = await openWs(port);
    assert.ok(ws, "the port accepts again");
    ws.close();
  } finally {
    for (const ws of opened) ws.terminate();
    await server.close();
  }
});

test("FA WebSocket: a tunnel without a lease is closed when idle; text frames are dropped and counted", { timeout: 30_000 }, async () => {
  const { server } = await startFa({}, { ws: WS_AT, wsLimits: { idleMs: 300 } });
  try {
    const ws = await openWs(server.wsLocator!.port);
    assert.ok(ws);
    for (let i = 0; i < 3; i++) ws.send(`text ${i}`); // not a tunnel frame: used to vanish uncounted
    await until(() => server.stats().ws!.textFrames === 3, "3 text frames counted");
    await Promise.race([once(ws, "close"), new Promise((_, j) => setTimeout(() => j(new Error("idle tunnel not closed")), 10_000))]);
    assert.equal(server.stats().ws!.closedIdle, 1);
  } finally {
    await server.close();
  }
});

test("FA WebSocket: a client that never reads while sending PINGs gets few answers and bounded buffers", { timeout: 60_000 }, async () => {
  const { server } = await startFa({}, { ws: WS_AT });
  try {
    const s = await deafClient(server.wsLocator!.port);
    const ping = wsFrame(2, emitTunnelFrame({ type: TunnelFrameType.PING, payload: new Uint8Array(60_000) }));
    await writeAll(s, Array.from({ length: 500 }, () => ping));
    const wsPing = wsFrame(9, new Uint8Array(125));
    await writeAll(s, Array.from({ length: 500 }, () => wsPing));
    await until(() => server.stats().pings === 500 && server.stats().ws!.pings === 500, "pings handled");
    const st = server.stats();
    // answered at 4/s (burst 8) and never beyond 1 MiB queued: on the old code 30 MB of PONGs
    assert.ok(st.ws!.buffered <= (1 << 20) + 65_536, `buffered ${st.ws!.buffered}`);
    assert.ok((st.drops.ping_rate ?? 0) > 0 && st.ws!.pingDrops > 0);
    s.destroy();
  } finally {
    await server.close();
  }
});

test("FA WebSocket: a client that never reads is cut off by backpressure, then closed", { timeout: 60_000 }, async () => {
  const { server } = await startFa({ pingPerSecond: 1e9 }, { ws: WS_AT, wsLimits: { maxBufferedBytes: 256 * 1024, stallMs: 200, pingPerSecond: 1e9 } });
  try {
    const s = await deafClient(server.wsLocator!.port);
    const ping = wsFrame(2, emitTunnelFrame({ type: TunnelFrameType.PING, payload: new Uint8Array(60_000) }));
    s.on("error", () => {});
    await writeAll(s, Array.from({ length: 500 }, () => ping)).catch(() => {});
    await until(() => server.stats().ws!.closedStalled === 1 && server.stats().ws!.open === 0, "stalled client closed");
    const st = server.stats().ws!;
    assert.ok(st.backpressureDrops > 0);
    assert.equal(st.buffered, 0);
    s.destroy();
  } finally {
    await server.close();
  }
});

test("FA logs: refusals are rate limited with a summary count", { timeout: 60_000 }, async () => {
  let now = 1_800_000_000_000;
  const logs: Record<string, unknown>[] = [];
  const { server, port, faHit } = await startFa({}, { log: (r) => logs.push(r), clock: () => now });
  const u = await udp();
  try {
    const bad = buildFaq(identity(530), faHit, { requestId: 1, leaseId: 0, lifetime: 60, addrType: 4, spis: 16 });
    bad.set(identity(531).hit, 8); // HIT ≠ HOST_ID: refused MALFORMED
    const d = frameHip(bad);
    for (let i = 0; i < 300; i++) {
      await u.send(d, port);
      if (i % 20 === 19) await until(() => server.stats().faq === i + 1, "FAQs handled");
    }
    const refused = () => logs.filter((l) => l.msg === "lease refused").length;
    assert.equal(refused(), 10);
    now += 11_000;
    await u.send(d, port);
    await until(() => server.stats().faq === 301, "last FAQ");
    const summary = logs.find((l) => l.msg === "log lines suppressed");
    assert.deepEqual(summary?.suppressed, { refused: 290 });
    assert.equal(refused(), 11);
    assert.equal(server.stats().logSuppressed.refused, 290);
  } finally {
    await u.close();
    await server.close();
  }
});
