// TunnelHost sends CLOSE (RFC 7401 §6.14): `close(peerHit)` / `closeAssociation()` for one
// association, `close()` for all of them before releasing the lease; the UDP peers see "closed"
// (reason "peer") and drop the association instead of keeping it stale. Real WebSocket tunnel to
// an in-process Node FA server, real UDP peers on loopback.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cryptoRng } from "../../src/core/rng.ts";
import { hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { type EchoPeer, freeUdpPort, startEchoPeer, startWsFa, wsTunnelHost } from "./harness.ts";

function closedEvents(p: EchoPeer): string[] {
  const out: string[] = [];
  p.host.on("closed", (ev) => out.push(`${hitToString(ev.peerHit)} ${ev.reason}`));
  return out;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

test("TunnelHost: close(peerHit) closes one association with CLOSE/CLOSE_ACK; close() closes the rest", { timeout: 30_000 }, async () => {
  const { fa, faLoc } = await startWsFa();
  const peers = [await startEchoPeer(), await startEchoPeer()];
  const closed = peers.map(closedEvents);
  let host: Awaited<ReturnType<typeof wsTunnelHost>> | undefined;
  try {
    host = await wsTunnelHost(fa, faLoc);
    const me = hitToString(host.hit);
    for (const p of peers) await host.connect(p.locator, p.host.hit);
    for (const p of peers) assert.equal(p.host.stack.host.association(host.hit)?.state !== undefined, true, "peer has the association");

    // One association: CLOSE → CLOSE_ACK through the FA; the other stays up.
    assert.equal(await host.closeAssociation(peers[0].host.hit), true, "CLOSE_ACK received");
    await until(() => closed[0].length === 1, "peer 0 saw the CLOSE");
    assert.deepEqual(closed[0], [`${me} peer`]);
    assert.deepEqual(closed[1], [], "peer 1 untouched");
    assert.equal(host.stack.canSend(peers[1].host.hit), true);
    assert.equal(host.stack.canSend(peers[0].host.hit), false);

    // Reconnect peer 0, then close(): both associations get a CLOSE before the lease goes.
    await host.connect(peers[0].locator, peers[0].host.hit);
    const leaseBefore = fa.stats().leases;
    await host.close();
    host = undefined;
    await until(() => closed[0].length === 2 && closed[1].length === 1, `both peers saw a CLOSE: ${JSON.stringify(closed)}`);
    assert.deepEqual(closed[1], [`${me} peer`]);
    assert.equal(closed[0][1], `${me} peer`);
    await until(() => fa.stats().leases === leaseBefore - 1, "lease released after the CLOSEs");
  } finally {
    await host?.close();
    for (const p of peers) await p.host.close();
    await fa.close();
  }
});

test("TunnelHost: close() during a base exchange nobody answers rejects the connect at once (its timer would hold the process)", { timeout: 30_000 }, async () => {
  const { fa, faLoc } = await startWsFa();
  try {
    const host = await wsTunnelHost(fa, faLoc);
    const nobody = { ip: "127.0.0.1", port: await freeUdpPort() };
    const pending = host.connect(nobody, HostIdentity.generate(cryptoRng).hit).then(
      () => "connected",
      (e: Error) => e.message,
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await host.close();
    assert.equal(await pending, "host closed");
    assert.ok(performance.now() - t0 < 5000, "rejected by close(), not by the 15 s timeout");
  } finally {
    await fa.close();
  }
});

test("TunnelHost.stats(): every layer's counters and the tunnel socket, as RuntimeHost.stats() gives them (Host.stats() in the API)", { timeout: 30_000 }, async () => {
  const { fa, faLoc } = await startWsFa();
  const peer = await startEchoPeer();
  let host: Awaited<ReturnType<typeof wsTunnelHost>> | undefined;
  try {
    host = await wsTunnelHost(fa, faLoc);
    await host.connect(peer.locator, peer.host.hit);
    const s = host.stats();
    assert.deepEqual(Object.keys(s).sort(), ["drops", "esp", "fa", "hip", "mobility", "transport", "update"]);
    assert.equal(s.fa?.leased, 1, "leased through the tunnel");
    assert.equal(s.hip["tx.I2"], 1);
    assert.equal(s.transport?.sockets, 1, "the tunnel socket");
    // WebCrypto (asynchronous): the base exchange ran as jobs.
    assert.ok(((s.hip.crypto as { jobs: number }).jobs ?? 0) >= 3, JSON.stringify(s.hip.crypto));
    assert.deepEqual(s.drops, {});
  } finally {
    await host?.close();
    await peer.host.close();
    await fa.close();
  }
});
