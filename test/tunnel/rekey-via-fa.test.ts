// Rekeying behind a Forwarding Agent: a tunnel host's inbound SPIs must stay in its leased SPI
// range (the FA forwards ESP to it by SPI, draft §5.1), a rekey's new inbound SPI included, with
// and without a new Diffie-Hellman, whichever side asks; data goes on both ways after each rekey.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytes, startEchoPeer, startWsFa, text, wsTunnelHost } from "./harness.ts";

for (const newDh of ["exhausted", "always"] as const) {
  test(`tunnel host behind an FA: rekeys (newDh ${newDh}) keep its inbound SPI in the leased range; echoes go on`, { timeout: 30_000 }, async () => {
    const { fa, faLoc } = await startWsFa();
    const peer = await startEchoPeer();
    let host: Awaited<ReturnType<typeof wsTunnelHost>> | undefined;
    try {
      const h = await wsTunnelHost(fa, faLoc, { rekey: { newDh } });
      host = h;
      const lease = h.lease!;
      const replies: string[] = [];
      h.on("message", (m) => replies.push(text(m.data)));
      const hit = await h.connect(peer.locator, peer.host.hit);
      const echo = async (what: string) => {
        const n = replies.length;
        assert.equal(h.send(hit, 7000, 7001, bytes(what)), "sent");
        for (let i = 0; i < 300 && replies.length === n; i++) await new Promise((r) => setTimeout(r, 10));
        assert.deepEqual(replies.slice(n), [`echo:${what}`], what);
      };
      await echo("before");
      const a = h.stack.host.association(hit)!;
      let lastIn = a.spiIn;
      // Rounds 1 and 3: the tunnel host asks; round 2: the UDP peer asks and the tunnel host answers
      // (its new inbound SPI is drawn then).
      for (const round of [1, 2, 3]) {
        assert.ok(round === 2 ? peer.host.rekey(h.hit) : h.rekey(hit), `rekey ${round}`);
        for (let i = 0; i < 300 && a.spiIn === lastIn; i++) await new Promise((r) => setTimeout(r, 10));
        assert.notEqual(a.spiIn, lastIn, `rekey ${round}: a new inbound SA`);
        lastIn = a.spiIn;
        assert.ok(a.spiIn >= lease.spiMin && a.spiIn <= lease.spiMax, `rekey ${round}: inbound SPI 0x${a.spiIn.toString(16)} in the leased range 0x${lease.spiMin.toString(16)}-0x${lease.spiMax.toString(16)}`);
        await echo(`after rekey ${round}`);
      }
      // What the application sees (TunnelHost.peers()): the current SA pair, and a path from the leased locator.
      const [info] = h.peers();
      assert.equal(h.peers().length, 1);
      assert.deepEqual([info.state, info.spiIn, info.spiOut], ["ESTABLISHED", a.spiIn, a.spiOut]);
      assert.deepEqual(info.path, { local: lease.locator, peer: peer.locator });
      assert.deepEqual(h.peer(hit)?.spiIn, a.spiIn);
      assert.equal(h.stack.update.counters["rekey.dh"], newDh === "always" ? 2 : undefined, "its own two rekeys");
      assert.deepEqual(h.stats().drops, {});
      assert.deepEqual(peer.host.stats().drops, {});
    } finally {
      await host?.close();
      await peer.host.close();
      await fa.close();
    }
  });
}
