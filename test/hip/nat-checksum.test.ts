// HIP over UDP through a NAT: the HIP checksum is zero (RFC 5770 §5.1, RFC 9028 §5.1), so a NAT
// that rewrites the outer addresses cannot break it. A checksum over the private address (the
// "pseudo" mode) is dropped by the peer as bad, which is why zero is the default.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import type { Locator } from "../../src/core/types.ts";
import { HipHost } from "../../src/hip/host.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { HipHostConfig } from "../../src/hip/types.ts";
import { fillChecksum } from "../../src/wire/checksum.ts";
import { classifyDatagram } from "../../src/wire/framing.ts";

const PRIVATE: Locator = { ip: "10.0.0.2", port: 10500 };
const PUBLIC: Locator = { ip: "198.51.100.1", port: 40000 }; // the NAT's mapping of PRIVATE
const PEER: Locator = { ip: "192.0.2.2", port: 10500 };

function host(seed: number, cfg: Partial<HipHostConfig>): HipHost {
  const rng = new SeededRng(seed);
  return new HipHost({ identity: HostIdentity.generate(rng, "P-256"), rng, ...cfg });
}

/** Base exchange from behind a NAT: returns both hosts after 10 bounded rounds. */
function natExchange(cfg: Partial<HipHostConfig>) {
  const a = host(41, cfg);
  const b = host(42, cfg);
  const checksums: number[] = [];
  a.connect(0, PEER, b.hit, PRIVATE);
  for (let round = 0; round < 10; round++) {
    for (let t = a.pollTransmit(); t; t = a.pollTransmit()) {
      const c = classifyDatagram(t.data);
      assert.ok(c.ok && c.value.kind === "hip");
      checksums.push((c.value.packet[4] << 8) | c.value.packet[5]);
      b.handleDatagram(round, c.value.packet, PUBLIC, PEER); // source rewritten by the NAT
    }
    for (let t = b.pollTransmit(); t; t = b.pollTransmit()) {
      assert.deepEqual(t.to, PUBLIC);
      const c = classifyDatagram(t.data);
      assert.ok(c.ok && c.value.kind === "hip");
      checksums.push((c.value.packet[4] << 8) | c.value.packet[5]);
      a.handleDatagram(round, c.value.packet, PEER, PRIVATE); // destination rewritten back
    }
  }
  const established = (h: HipHost) => {
    for (let e = h.pollEvent(); e; e = h.pollEvent()) if (e.type === "established") return true;
    return false;
  };
  return { a, b, checksums, aUp: established(a) };
}

test("default: zero HIP checksum over UDP, the base exchange completes through a NAT", () => {
  const r = natExchange({});
  assert.ok(r.checksums.length >= 4);
  assert.ok(
    r.checksums.every((c) => c === 0),
    `checksums ${r.checksums}`,
  );
  assert.ok(r.aUp, "initiator established (R2 arrived through the NAT)");
  assert.equal(r.b.counters["tx.R2"], 1); // the responder is ESTABLISHED on the first ESP (R2-SENT)
  assert.equal(r.b.counters["drop.bad_checksum"] ?? 0, 0);
});

test('checksum "pseudo" over the private address: the peer drops the I1 as bad (the failure zero avoids)', () => {
  const r = natExchange({ checksum: "pseudo" });
  assert.ok(!r.aUp);
  assert.equal(r.b.counters["tx.R1"] ?? 0, 0);
  assert.ok((r.b.counters["drop.bad_checksum"] ?? 0) >= 1);
});

test("receipt: zero accepted, a correct non-zero accepted, a wrong non-zero dropped", () => {
  const a = host(43, {});
  const b = host(44, {});
  a.connect(0, PEER, b.hit, PRIVATE);
  const t = a.pollTransmit();
  assert.ok(t);
  const i1 = t.data.subarray(4);
  b.handleDatagram(0, i1.slice(), PRIVATE, PEER);
  assert.equal(b.counters["rx.I1"], 1);
  const good = i1.slice();
  fillChecksum(good, PRIVATE.ip, PEER.ip);
  assert.notEqual((good[4] << 8) | good[5], 0);
  b.handleDatagram(1, good, PRIVATE, PEER);
  assert.equal(b.counters["rx.I1"], 2);
  b.handleDatagram(2, good, PUBLIC, PEER); // same checksum, other source: does not verify
  assert.equal(b.counters["rx.I1"], 2);
  assert.equal(b.counters["drop.bad_checksum"], 1);
});
