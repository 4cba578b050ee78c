// End-to-end: the `hipmm fa` server in a real process on loopback, SIGKILL + restart on the
// same SQLite store, a WebSocket-tunnelled host talking to a UDP peer, graceful SIGTERM.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { freeUdpPort as freePort } from "../helpers/net.ts";
import WebSocket from "ws";
import { SeededRng } from "../../src/core/rng.ts";
import { buildFaq, parseFaPacket } from "../../src/fa/core/messages.ts";
import { unwrapRelay } from "../../src/fa/core/relay.ts";
import { hitFromString, hitToString } from "../../src/hip/hit.ts";
import { probeType } from "../../src/fa/core/holder-probe.ts";
import { TunnelFrameType } from "../../src/wire/tunnel.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { frameHip } from "../../src/wire/framing.ts";
import { WsTunnelClient } from "../../src/transport/ws-client.ts";
import { espPacket } from "./harness.ts";

const CLI = join(import.meta.dirname, "fixtures/fa-cli.ts");

function startFa(args: string[]): Promise<{ child: ChildProcess; ready: Record<string, unknown>; lines: string[] }> {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args, "--log", "json"], { stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        const rec = JSON.parse(line) as Record<string, unknown>;
        if (rec.msg === "fa ready") resolve({ child, ready: rec, lines });
      }
    });
    child.once("exit", (c) => reject(new Error(`fa exited ${c}`)));
  });
}

async function udp(): Promise<{ sock: Socket; port: number; next: () => Promise<{ data: Uint8Array; port: number }> }> {
  const sock = createSocket("udp4");
  const queue: { data: Uint8Array; port: number }[] = [];
  const waiters: ((m: { data: Uint8Array; port: number }) => void)[] = [];
  sock.on("message", (m, r) => {
    const item = { data: new Uint8Array(m), port: r.port };
    const w = waiters.shift();
    if (w) w(item);
    else queue.push(item);
  });
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const next = () =>
    new Promise<{ data: Uint8Array; port: number }>((resolve, reject) => {
      const q = queue.shift();
      if (q) return resolve(q);
      const t = setTimeout(() => reject(new Error("timeout waiting for a datagram")), 5000);
      waiters.push((m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
  return { sock, port: sock.address().port, next };
}

test("FA server: lease over UDP, SIGKILL + restart on SQLite keeps forwarding, WebSocket host ↔ UDP peer, SIGTERM", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-fa-e2e-"));
  const port = await freePort();
  const args = ["--id", join(dir, "fa.key"), "--udp", `127.0.0.1:${port}`, "--ws", "127.0.0.1:0", "--store", join(dir, "leases.db"), "--puzzle", "off"];
  let fa = await startFa(args);
  const faHit = hitFromString(fa.ready.hit as string);
  assert.ok(faHit, `"fa ready" names the FA's HIT in IPv6 form: ${fa.ready.hit}`);
  const host = await udp();
  const peer = await udp();
  try {
    // 1. a UDP host leases an IPv4 locator + SPI range
    const id = HostIdentity.generate(new SeededRng(500));
    host.sock.send(frameHip(buildFaq(id, faHit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 })), port, "127.0.0.1");
    const faa = parseFaPacket((await host.next()).data.subarray(4));
    assert.ok(faa.ok && faa.value.packetType === 12, "FAA");
    const a = faa.value.info!.address as { minSpi: number; ip: string };
    assert.equal(a.ip, "127.0.0.1");
    // The log names the host by its HIT in IPv6 form, as every hipmm output does.
    const granted = () => fa.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === "lease granted");
    for (let i = 0; i < 100 && !granted(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(granted()?.hit, hitToString(id.hit), "lease granted: HIT in IPv6 form");
    // 2. a peer's ESP to the leased locator reaches the host in a relay frame
    peer.sock.send(espPacket(a.minSpi, 1, 1400), port, "127.0.0.1");
    let f = unwrapRelay((await host.next()).data);
    assert.ok(f && f.payload.length === 1400);
    assert.deepEqual(f.src, { ip: "127.0.0.1", port: peer.port });
    // 3. SIGKILL, restart on the same store: forwarding continues with no new FAQ
    fa.child.kill("SIGKILL");
    await new Promise((r) => fa.child.once("exit", r));
    fa = await startFa(args);
    assert.equal(fa.ready.leases, 1);
    peer.sock.send(espPacket(a.minSpi + 3, 2, 1400), port, "127.0.0.1");
    // The restarted FA first probes the holder of the restored lease ("we are back", holder.ts).
    let d = (await host.next()).data;
    if (probeType(d) === TunnelFrameType.PING) d = (await host.next()).data;
    f = unwrapRelay(d);
    assert.ok(f && new DataView(f.payload.buffer, f.payload.byteOffset).getUint32(4) === 2);
    // 4. a WebSocket-tunnelled host leases and talks to the UDP peer through the FA
    const ws = await WsTunnelClient.connect(`ws://127.0.0.1:${(fa.ready.ws as { port: number }).port}`, WebSocket as unknown as new (u: string) => globalThis.WebSocket);
    const got: { data: Uint8Array; from?: { ip: string; port: number } }[] = [];
    const arrived = () =>
      new Promise<void>((r) => {
        const t = setInterval(() => {
          if (got.length === 0) return;
          clearInterval(t);
          r();
        }, 5);
      });
    ws.onDatagram = (d) => got.push(d);
    const wid = HostIdentity.generate(new SeededRng(501));
    ws.sendToFa(frameHip(buildFaq(wid, faHit, { requestId: 9, leaseId: 0, lifetime: 60, addrType: 4, spis: 0 })));
    await arrived();
    const wfaa = parseFaPacket(got.shift()!.data.subarray(4));
    assert.ok(wfaa.ok && wfaa.value.packetType === 12);
    const wa = wfaa.value.info!.address as { minSpi: number; ip: string };
    peer.sock.send(espPacket(wa.minSpi, 1, 200), port, "127.0.0.1");
    await arrived();
    const inb = got.shift()!;
    assert.deepEqual(inb.from, { ip: "127.0.0.1", port: peer.port });
    ws.sendVia({ ip: wa.ip, port }, { ip: "127.0.0.1", port: peer.port }, espPacket(0x4242, 1, 100));
    const back = await peer.next();
    assert.equal(back.port, port, "leaves from the leased locator");
    assert.equal(new DataView(back.data.buffer).getUint32(0), 0x4242);
    ws.close();
    // 5. graceful shutdown
    fa.child.kill("SIGTERM");
    const code = await new Promise((r) => fa.child.once("exit", r));
    assert.equal(code, 0);
    assert.ok(fa.lines.some((l) => l.includes('"fa stopping"')));
  } finally {
    fa.child.kill("SIGKILL");
    host.sock.close();
    peer.sock.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
