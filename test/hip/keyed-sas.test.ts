// Whatever exports keys (hipmm host --esp-sa, the lab's and the web demo's esp_sa downloads) takes
// them from keyedSas(): after a rekey each side must hold the keys of every SA in use, including
// the outbound SA and, after a new Diffie-Hellman, the requester's inbound SA, which only
// sa-rekey carries (they were missing: tshark could not decrypt anything sealed after a rekey).
import assert from "node:assert/strict";
import { test } from "node:test";
import { keyedSas } from "../../src/hip/sa.ts";
import { UpdateExtension } from "../../src/hip/update.ts";
import { HostObserver } from "../../src/lab/observe.ts";
import { eventsOf, Net, type Node } from "./net.ts";

for (const newDh of ["exhausted", "always"] as const) {
  test(`keyedSas / HostObserver: every SA in use after rekeys has its keys (newDh ${newDh})`, () => {
    const net = new Net();
    const a = net.add(7, "192.0.2.1");
    const b = net.add(8, "192.0.2.2");
    const ua = new UpdateExtension(a.host, { newDh });
    new UpdateExtension(b.host, { newDh });
    a.host.connect(net.now, b.loc, b.host.hit, a.loc);
    net.run(1000);
    b.host.noteEspReceived(net.now, eventsOf(b, "sa-install")[0].inbound.spi, a.loc);
    for (let i = 0; i < 3; i++) {
      assert.ok(ua.rekey(net.now + 1, b.host.hit));
      net.run(net.now + 100);
    }
    const keysOf = (n: Node) => {
      const o = new HostObserver(n === a ? "A" : "B");
      for (const ev of n.events) o.onEvent(0, ev);
      return o.keys;
    };
    const last = (n: Node) => eventsOf(n, "sa-rekey").at(-1)!;
    assert.equal(eventsOf(a, "sa-rekey").length, 3);
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const keys = keysOf(x);
      const exported = x.events.flatMap((ev) => [...keyedSas(ev)]);
      for (const sa of [last(x).inbound, last(x).outbound]) {
        const k = keys.find((k) => k.spi === sa.spi && k.dir === sa.direction);
        assert.ok(k, `${sa.direction} SA 0x${sa.spi.toString(16)} of the last rekey has its keys`);
        assert.deepEqual(k.encKey, sa.encKey);
        assert.ok(exported.some((e) => e.spi === sa.spi && e.direction === sa.direction));
      }
      // And they are the keys the peer uses the other way.
      assert.deepEqual(last(x).outbound.encKey, last(y).inbound.encKey);
    }
    assert.deepEqual(keyedSas({ type: "closed" }), []);
  });
}
