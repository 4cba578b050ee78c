// Issue 9 item 2: nothing a peer sends throws out of the stack; sizes are checked before any
// state changes (the I2 answering an R1 padded with ECHO_REQUEST_UNSIGNED).
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { EspStatus } from "../../src/esp/types.ts";
import { HostStack } from "../../src/runtime/stack.ts";
import { emitPacket } from "../../src/wire/packet.ts";
import { drain, host, L, parse } from "./helpers.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

/** The R1 with an ECHO_REQUEST_UNSIGNED (type 63661, after the signature: still valid) as large as a HIP packet allows. */
function padR1(r1: Uint8Array): Uint8Array {
  const n = (2048 - r1.length - 4) & ~7;
  const p = parse(r1);
  return emitPacket({ ...p, params: [...p.params, { kind: "ECHO_REQUEST_UNSIGNED", data: new Uint8Array(n).fill(0x41) }], offsets: undefined, bytes: undefined });
}

test("padded R1 (ECHO_REQUEST_UNSIGNED): the I2 would not fit — counted drop, no throw, no state change", () => {
  const a = host(1);
  const b = host(2);
  const la = L("192.0.2.1");
  const lb = L("192.0.2.2");
  a.connect(0, lb, b.hit, la);
  const [i1] = drain(a);
  b.handleDatagram(0, i1.hip, la, lb);
  const [r1] = drain(b);
  const padded = padR1(r1.hip);
  assert.ok(padded.length <= 2048, "the R1 itself is a valid size");
  const before = a.association(b.hit)!;
  const snap = { state: before.state, spiIn: before.spiIn, keymat: before.keymat, peer: before.peerIdentity, counter: before.r1Counter };
  assert.doesNotThrow(() => a.handleDatagram(1, padded, lb, la));
  const after = a.association(b.hit)!;
  assert.equal(after, before);
  assert.deepEqual({ state: after.state, spiIn: after.spiIn, keymat: after.keymat, peer: after.peerIdentity, counter: after.r1Counter }, snap);
  assert.equal(a.counters["drop.reply_too_large"], 1);
  assert.equal(a.counters["tx.I2"] ?? 0, 0);
  assert.equal(drain(a).length, 0);
  // The honest R1 still completes the exchange.
  a.handleDatagram(2, r1.hip, lb, la);
  assert.equal(a.association(b.hit)?.state, "I2-SENT");
});

test("the same padded R1 through a whole HostStack: no throw, counted", () => {
  const rng = new SeededRng(7);
  const sa = new HostStack({ host: { identity: HostIdentity.generate(rng, "P-256"), rng, puzzleK: 1 } });
  const b = host(8, { checksum: "pseudo" });
  const la = L("192.0.2.1");
  const lb = L("192.0.2.2");
  sa.connect(0, lb, b.hit, la);
  const t = sa.pollTransmit()!;
  b.handleDatagram(0, t.data.subarray(4), la, lb);
  const [r1] = drain(b);
  const padded = padR1(r1.hip);
  const framed = new Uint8Array(padded.length + 4);
  framed.set(padded, 4);
  assert.doesNotThrow(() => sa.handleDatagram(1, framed, lb, la));
  assert.equal(sa.host.counters["drop.reply_too_large"], 1);
  assert.equal(sa.host.association(b.hit)?.state, "I1-SENT");
});

test("a throwing extension handler is caught at the HipHost boundary and counted (drop.exception)", () => {
  const a = host(3);
  a.registerExtension({
    packetTypes: [6],
    handle() {
      throw new TypeError("bug");
    },
  });
  const other = HostIdentity.generate(new SeededRng(4), "P-256");
  const rea = emitPacket({ packetType: 6, controls: 0, senderHit: other.hit, receiverHit: a.hit, params: [] });
  assert.doesNotThrow(() => a.handleDatagram(0, rea, L("192.0.2.9"), L("192.0.2.1")));
  assert.equal(a.counters["drop.exception"], 1);
});

test("Worker data-plane completion with a malformed outcome is caught at the HostStack boundary", () => {
  const rng = new SeededRng(9);
  const s = new HostStack({ host: { identity: HostIdentity.generate(rng, "P-256"), rng, puzzleK: 1 }, deferEsp: true });
  const b = host(10);
  const la = L("192.0.2.1");
  const lb = L("192.0.2.2");
  s.connect(0, lb, b.hit, la);
  for (let i = 0; i < 6; i++) {
    for (let t = s.pollTransmit(); t; t = s.pollTransmit()) b.handleDatagram(0, t.data.subarray(4), la, lb);
    for (const t of drain(b)) {
      const framed = new Uint8Array(t.hip.length + 4);
      framed.set(t.hip, 4);
      s.handleDatagram(0, framed, lb, la);
    }
  }
  const spi = s.host.association(b.hit)?.spiIn;
  assert.ok(spi, "SAs installed");
  const job = { data: new Uint8Array(16), from: lb, to: la, viaRea: false };
  // An outcome for a live SA whose payload the runner lost (e.g. a batch reused mid-flight).
  const bad = { status: EspStatus.Ok, spi, seq: 1, nextHeader: 17, payload: undefined as unknown as Uint8Array };
  assert.doesNotThrow(() => s.completeOpen(1, job, bad));
  assert.equal(s.counters["drop.exception"], 1);
});
