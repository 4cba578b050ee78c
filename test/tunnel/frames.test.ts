// TunnelSocket (src/transport/tunnel.ts) maps a host's datagrams onto tunnel frames and back,
// and the WebTransport stream records (wt-client.ts) survive arbitrary chunking.
import assert from "node:assert/strict";
import { test } from "node:test";
import { unwrapRelay, wrapRelay } from "../../src/fa/core/relay.ts";
import { once } from "node:events";
import WebSocket, { WebSocketServer } from "ws";
import { SocketSet } from "../../src/transport/socket-set.ts";
import { type Tunnel, TunnelSocket, WsTunnel } from "../../src/transport/tunnel.ts";
import { RecordReader, record } from "../../src/transport/wt-client.ts";
import { emitTunnelFrame, parseTunnelFrame, TunnelFrameType } from "../../src/wire/tunnel.ts";

class FakeTunnel implements Tunnel {
  readonly kind = "websocket";
  onFrame: (f: Uint8Array) => void = () => {};
  onClose: (r: string) => void = () => {};
  closed = false;
  sendErrors = 0;
  sent: Uint8Array[] = [];
  send(f: Uint8Array): void {
    this.sent.push(f.slice());
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const fa = { ip: "192.0.2.1", port: 10500 };
const leased = fa;
const peer = { ip: "198.51.100.7", port: 10500 };

test("TunnelSocket: FA-bound datagram → compact frame; relay datagram → its full frame; others unroutable", () => {
  const t = new FakeTunnel();
  const s = new TunnelSocket(t, fa);
  assert.deepEqual(s.local, { ip: "0.0.0.0", port: 0 });
  const faq = Uint8Array.of(0, 0, 0, 0, 0x3b, 0x05, 0x0b, 0x12);
  s.send({ to: fa, data: faq });
  const f = parseTunnelFrame(t.sent[0]);
  assert.ok(f.ok && f.value.type === TunnelFrameType.DATAGRAM && f.value.src === undefined);
  assert.deepEqual(f.ok && f.value.payload, faq);
  const esp = Uint8Array.of(0, 1, 0, 0, 0, 0, 0, 1, 9, 9);
  s.send({ to: fa, data: wrapRelay(leased, peer, esp) });
  const g = parseTunnelFrame(t.sent[1]);
  assert.ok(g.ok);
  assert.deepEqual([g.value.src, g.value.dst, g.value.payload], [leased, peer, esp]);
  s.send({ to: peer, data: esp });
  assert.equal(t.sent.length, 2);
  assert.equal(s.sendErrors, 1);
});

test("TunnelSocket: compact frame → datagram from the FA; full frame → relay datagram; PONG counted apart; a bad frame dropped and counted", () => {
  const t = new FakeTunnel();
  const s = new TunnelSocket(t, fa);
  const got: { data: Uint8Array; from: unknown }[] = [];
  s.onDatagram((data, from) => got.push({ data: data.slice(), from }));
  const faa = Uint8Array.of(0, 0, 0, 0, 0x3b, 0x05, 0x0c, 0x12);
  t.onFrame(emitTunnelFrame({ type: TunnelFrameType.DATAGRAM, payload: faa }));
  const esp = Uint8Array.of(0, 1, 0, 0, 0, 0, 0, 2, 7);
  t.onFrame(emitTunnelFrame({ type: TunnelFrameType.DATAGRAM, src: peer, dst: leased, payload: esp }));
  t.onFrame(emitTunnelFrame({ type: TunnelFrameType.PONG, payload: new Uint8Array(0) }));
  t.onFrame(Uint8Array.of(2, 1, 0, 0));
  assert.equal(got.length, 2);
  assert.deepEqual(got[0], { data: faa, from: fa });
  const r = unwrapRelay(got[1].data);
  assert.deepEqual([r?.src, r?.dst, r?.payload], [peer, leased, esp]);
  // The PONG answers the tunnel's own liveness PING: not a bad frame (it used to be counted as one).
  assert.equal(s.pongs, 1);
  assert.equal(s.ignored, 1);
  assert.equal(s.badFrames, 1);
  assert.deepEqual(new SocketSet([s]).stats().drop, { "bad-frame": 1 }, "in host.stats() as transport.drop.bad-frame");
});

test("WsTunnel: a text message from the FA reaches the socket as a bad frame (dropped, counted)", async () => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(wss, "listening");
  // Answers the client's first frame (so the socket below is listening by then).
  wss.on("connection", (ws) => {
    ws.once("message", () => {
      ws.send("not a tunnel frame");
      ws.send(emitTunnelFrame({ type: TunnelFrameType.DATAGRAM, payload: Uint8Array.of(0, 0, 0, 0, 1) }));
    });
  });
  const port = (wss.address() as { port: number }).port;
  const t = await WsTunnel.connect(`ws://127.0.0.1:${port}`, WebSocket as unknown as new (u: string) => globalThis.WebSocket);
  const s = new TunnelSocket(t, fa);
  const got: Uint8Array[] = [];
  s.onDatagram((d) => got.push(d.slice()));
  s.send({ to: fa, data: Uint8Array.of(0, 0, 0, 0, 2) });
  try {
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got.length, 1, "the datagram after it arrives");
    assert.equal(s.badFrames, 1, "the text message counted");
  } finally {
    await t.close();
    await new Promise<void>((r) => wss.close(() => r()));
  }
});

test("WebTransport stream records: any chunking gives back the frames in order", () => {
  const frames = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(1500).fill(7), Uint8Array.of(9)];
  const stream = Uint8Array.from(frames.flatMap((f) => [...record(f)]));
  for (const size of [1, 2, 3, 7, 64, stream.length]) {
    const out: Uint8Array[] = [];
    const rr = new RecordReader((f) => out.push(f));
    for (let i = 0; i < stream.length; i += size) rr.push(stream.subarray(i, i + size));
    assert.deepEqual(out, frames, `chunks of ${size}`);
  }
});
