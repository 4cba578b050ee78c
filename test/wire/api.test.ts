// Packet-level helpers: lazy view, context-dependent 129, critical/duplicate/required checks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WireErrorCode as E } from "../../src/wire/error.ts";
import { checkCritical, checkDuplicates, emitPacket, getParams, type HipPacket, paramIndex, parsePacket, requireParam, sortParams } from "../../src/wire/packet.ts";
import { decodeEcHostIdentity, encodeEcHostIdentity } from "../../src/wire/params/hostid.ts";
import { PacketView } from "../../src/wire/view.ts";
import { walkParams, wireWasm } from "../../src/wire/walk.ts";
import { bindWireWasm } from "../../src/wasm/wire-walk.ts";

const base = { controls: 0, senderHit: new Uint8Array(16).fill(1), receiverHit: new Uint8Array(16).fill(2) };

test("129 is AC_INFO in AC and R1_COUNTER in R1; the view finds each only in its context", () => {
  const ac = emitPacket({ ...base, packetType: 9, params: [{ kind: "AC_INFO", acId: 1, reaId: 2, rttTimestamp: 3 }] });
  const r1 = emitPacket({ ...base, packetType: 2, params: [{ kind: "R1_COUNTER", counter: 9n }] });
  assert.deepEqual([ac[40], ac[41], r1[40], r1[41]], [0, 129, 0, 129]); // the same TLV type
  const va = PacketView.parse(ac);
  const vr = PacketView.parse(r1);
  assert.ok(va.ok && vr.ok);
  assert.equal(va.value.find("AC_INFO"), 0);
  assert.equal(va.value.find("R1_COUNTER"), -1);
  assert.equal(vr.value.find("R1_COUNTER"), 0);
  assert.equal(vr.value.find("AC_INFO"), -1);
  assert.equal(vr.value.find("REA_INFO"), -1);
  const p = vr.value.param("R1_COUNTER");
  assert.ok(p?.ok && p.value.counter === 9n);
  assert.equal(va.value.param("HMAC"), undefined);
});

test("checkCritical, checkDuplicates, requireParam, sortParams, getParams", () => {
  const pkt: HipPacket = {
    ...base,
    packetType: 6,
    params: sortParams([
      { kind: "HMAC", hmac: new Uint8Array(20) },
      { kind: "UNKNOWN", type: 40001, value: new Uint8Array(3) },
      { kind: "REA_INFO", interfaceId: 1, currentSpiReverse: 0, currentSpi: 0, newSpi: 0, keymatIndex: 0, reaId: 1, addresses: [] },
      { kind: "REA_INFO", interfaceId: 2, currentSpiReverse: 0, currentSpi: 0, newSpi: 0, keymatIndex: 0, reaId: 1, addresses: [] },
    ]),
  };
  assert.deepEqual(
    pkt.params.map((p) => p.kind),
    ["REA_INFO", "REA_INFO", "UNKNOWN", "HMAC"],
  );
  const r = parsePacket(emitPacket(pkt));
  assert.ok(r.ok);
  assert.equal(getParams(r.value, "REA_INFO").length, 2);
  assert.ok(checkDuplicates(r.value).ok);
  const c = checkCritical(r.value);
  assert.ok(!c.ok && c.error.code === E.UNKNOWN_CRITICAL && c.error.offset === r.value.offsets![2]);
  assert.ok(checkCritical(r.value, new Set([128, 40001, 65532])).ok);
  const m = requireParam(r.value, "HIP_SIGNATURE");
  assert.ok(!m.ok && m.error.code === E.MISSING_PARAM);
  assert.ok(requireParam(r.value, "HMAC").ok);
  assert.equal(paramIndex(r.value, "HMAC"), 3);
  const dup = checkDuplicates({ ...pkt, params: [pkt.params[3], pkt.params[3]] });
  assert.ok(!dup.ok && dup.error.code === E.DUPLICATE_PARAM);
});

test("EC host identity helpers; WASM walk survives memory growth", () => {
  const hi = encodeEcHostIdentity(1, Uint8Array.of(4, 5, 6));
  assert.deepEqual([...hi], [0, 1, 4, 5, 6]);
  const d = decodeEcHostIdentity(hi);
  assert.ok(d.ok && d.value.curve === 1 && d.value.publicKey.length === 3);
  assert.ok(bindWireWasm());
  const b = emitPacket({ ...base, packetType: 1, params: [{ kind: "DH_GROUP_LIST", groups: [7] }] });
  assert.ok(walkParams(b).ok);
  const mem = (wireWasm() as unknown as { ex: { memory: WebAssembly.Memory } }).ex.memory;
  mem.grow(1);
  const again = walkParams(b);
  assert.ok(again.ok && again.value.count === 1 && again.value.type(0) === 511);
});
