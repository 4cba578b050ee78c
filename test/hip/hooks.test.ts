// Extension hooks of the HIP core used by mobility and the FA client: spiSource / allocSpi,
// onEvent, espReceived (outer from/to), queueControl with an explicit source, releaseSpi and
// counters named after extension packet types.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator, Millis } from "../../src/core/types.ts";
import type { HipEvent, HipExtension } from "../../src/hip/types.ts";
import { eventsOf, Net } from "./net.ts";

class Spy implements HipExtension {
  packetTypes = [6];
  events: { now: Millis; type: string }[] = [];
  esp: { spi: number; from: Locator; to: Locator | undefined }[] = [];
  got: { from: Locator; to: Locator }[] = [];
  handle(_now: Millis, _p: unknown, _raw: Uint8Array, from: Locator, to: Locator): boolean {
    this.got.push({ from, to });
    return true;
  }
  onEvent(now: Millis, ev: HipEvent): void {
    this.events.push({ now, type: ev.type });
  }
  espReceived(_now: Millis, _a: unknown, spi: number, from: Locator, to: Locator | undefined): void {
    this.esp.push({ spi, from, to });
  }
}

test("spiSource picks inbound SPIs (e.g. an FA lease range); bad or taken values fall back to random", () => {
  const net = new Net();
  let offer: number | undefined = 0x1234_5670;
  const a = net.add(1, "192.0.2.1", { spiSource: () => offer });
  const b = net.add(2, "192.0.2.2", { spiSource: () => 7 }); // < 256: reserved, ignored
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(2000);
  const sa = eventsOf(a, "sa-install")[0];
  assert.equal(sa.inbound.spi, 0x1234_5670);
  assert.ok(eventsOf(b, "sa-install")[0].inbound.spi >= 256);
  const assoc = a.host.association(b.host.hit)!;
  // allocSpi: a preferred SPI when free, the source when not given, random when both are taken.
  assert.equal(a.host.allocSpi(assoc, 0x2000), 0x2000);
  assert.equal(a.host.associationBySpi(0x2000), assoc);
  const r = a.host.allocSpi(assoc, 0x2000);
  assert.ok(r !== 0x2000 && r !== offer);
  offer = undefined;
  assert.ok(a.host.allocSpi(assoc) >= 256);
  a.host.releaseSpi(0x2000);
  assert.equal(a.host.associationBySpi(0x2000), undefined);
  a.host.releaseSpi(assoc.spiIn); // the base-exchange SPI is not released this way
  assert.equal(a.host.associationBySpi(assoc.spiIn), assoc);
});

test("extensions see core events with the time, ESP with outer locators, and send from an explicit source", () => {
  const net = new Net();
  const a = net.add(3, "192.0.2.1");
  const b = net.add(4, "192.0.2.2");
  const spyA = new Spy();
  const spyB = new Spy();
  a.host.registerExtension(spyA);
  b.host.registerExtension(spyB);
  a.host.connect(0, b.loc, b.host.hit, a.loc);
  net.run(2000);
  const install = spyA.events.find((e) => e.type === "sa-install");
  assert.ok(install && install.now === 20, JSON.stringify(spyA.events)); // R2 arrives after 4 × 5 ms
  assert.ok(spyB.events.some((e) => e.type === "sa-install"));
  const assocB = b.host.association(a.host.hit)!;
  assert.equal(assocB.state, "R2-SENT");
  const other = { ip: "192.0.2.9", port: 10500 };
  b.host.noteEspReceived(net.now, assocB.spiIn, a.loc, other);
  assert.deepEqual(spyB.esp, [{ spi: assocB.spiIn, from: a.loc, to: other }]);
  assert.equal(assocB.state, "ESTABLISHED");
  // queueControl with an explicit (to, from): the transmit names that source and the REA
  // reaches A's extension with those locators; counters use the draft's names.
  const assocA = a.host.association(b.host.hit)!;
  const rea = new Uint8Array(40);
  rea[0] = 59;
  rea[1] = 4;
  rea[2] = 6;
  rea[3] = 0x21;
  rea.set(b.host.hit, 8);
  rea.set(a.host.hit, 24);
  assocB.queueControl(net.now, rea, a.loc, b.loc);
  net.run(net.now + 100);
  assert.deepEqual(spyA.got, [{ from: b.loc, to: a.loc }]);
  assert.equal(b.host.counters["tx.REA"], 1);
  assert.equal(a.host.counters["rx.REA"], 1);
  assert.equal(assocA.state, "ESTABLISHED");
});
