// Hand-assembled byte strings (RFC 7401 §5, draft §6.1, PROFILE §2) for one packet per family,
// and malformed variants giving the right error code and offset.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromHex, hex } from "../../src/core/bytes.ts";
import { type WireErrorCode, WireErrorCode as E } from "../../src/wire/error.ts";
import { emitPacket, type HipPacket, parsePacket } from "../../src/wire/packet.ts";
import type { Param } from "../../src/wire/params/index.ts";
import { walkParams, walkParamsTs } from "../../src/wire/walk.ts";
import { bindWireWasm } from "../../src/wasm/wire-walk.ts";

bindWireWasm();
const HITS = "20010020000000000000000000000001 20010020000000000000000000000002";
const S = fromHex(HITS.split(" ")[0])!;
const R = fromHex(HITS.split(" ")[1])!;
const b = (h: string) => fromHex(h)!;
const pkt = (packetType: number, params: Param[]): HipPacket => ({ packetType, controls: 0, senderHit: S, receiverHit: R, params });

const CASES: { name: string; hex: string; pkt: HipPacket }[] = [
  { name: "I1 + DH_GROUP_LIST", hex: `3b050121 00000000 ${HITS} 01ff0002 07080000`, pkt: pkt(1, [{ kind: "DH_GROUP_LIST", groups: [7, 8] }]) },
  {
    name: "R1 + R1_COUNTER + PUZZLE",
    hex: `3b080221 00000000 ${HITS} 0081000c 00000000 00000000 00000005 0101000c 0a25beef 01020304 05060708`,
    pkt: pkt(2, [
      { kind: "R1_COUNTER", counter: 5n },
      { kind: "PUZZLE", k: 10, lifetime: 37, opaque: 0xbeef, randomI: b("0102030405060708") },
    ]),
  },
  {
    name: "I2 + HOST_ID (ECDSA, FQDN)",
    hex: `3b070321 00000000 ${HITS} 02c1000f 00061003 00070001 04aabbcc 612e6200 00000000`,
    pkt: pkt(3, [{ kind: "HOST_ID", algorithm: 7, hostIdentity: b("000104aabbcc"), diType: 1, domainIdentifier: b("612e62") }]),
  },
  { name: "R2 + ESP_INFO", hex: `3b060421 00000000 ${HITS} 0041000c 00000000 00000000 12345678`, pkt: pkt(4, [{ kind: "ESP_INFO", keymatIndex: 0, oldSpi: 0, newSpi: 0x12345678 }]) },
  {
    name: "REA + REA_INFO (1 address, default port, preferred) + HMAC",
    hex: `3b0d0621 00000000 ${HITS} 0080002c 00000001 00001000 00002000 00003000 00000007 0000003c 00000001 00000000 00000000 0000ffff c0000201 fffc0014 ${"aa".repeat(20)}`,
    pkt: pkt(6, [
      {
        kind: "REA_INFO",
        interfaceId: 1,
        currentSpiReverse: 0x1000,
        currentSpi: 0x2000,
        newSpi: 0x3000,
        keymatIndex: 0,
        reaId: 7,
        addresses: [{ lifetime: 60, port: 10500, preferred: true, ip: "192.0.2.1" }],
      },
      { kind: "HMAC", hmac: new Uint8Array(20).fill(0xaa) },
    ]),
  },
  {
    name: "AC + AC_INFO + HMAC",
    hex: `3b090921 00000000 ${HITS} 0081000c 00030007 00000064 00000000 fffc0014 ${"bb".repeat(20)}`,
    pkt: pkt(9, [
      { kind: "AC_INFO", acId: 3, reaId: 7, rttTimestamp: 100 },
      { kind: "HMAC", hmac: new Uint8Array(20).fill(0xbb) },
    ]),
  },
  {
    name: "FAQ + FA_INFO (addr type 0) + HIP_SIGNATURE",
    hex: `3b070b21 00000000 ${HITS} 0082000c 00010000 00000e10 00000000 f1010003 00070100`,
    pkt: pkt(11, [
      { kind: "FA_INFO", requestId: 1, leaseId: 0, leaseDuration: 3600, port: 10500, address: { addrType: 0 } },
      { kind: "HIP_SIGNATURE", algorithm: 7, signature: b("01") },
    ]),
  },
  {
    name: "FAA + FA_INFO (addr type 4, port 8080)",
    hex: `3b080c21 00000000 ${HITS} 0082001c 00010002 00000e10 001f9004 00010000 0001ffff c6336407 00000000`,
    pkt: pkt(12, [{ kind: "FA_INFO", requestId: 1, leaseId: 2, leaseDuration: 3600, port: 8080, address: { addrType: 4, minSpi: 0x10000, maxSpi: 0x1ffff, ip: "198.51.100.7" } }]),
  },
  {
    name: "FAD + FA_INFO (addr type 6) + NOTIFICATION",
    hex: `3b090d21 00000000 ${HITS} 0082001c 00010002 00000000 00000006 20010db8 00000000 00000000 00000009 03400004 00002001`,
    pkt: pkt(13, [
      { kind: "FA_INFO", requestId: 1, leaseId: 2, leaseDuration: 0, port: 10500, address: { addrType: 6, ip: "2001:db8::9" } },
      { kind: "NOTIFICATION", notifyType: 0x2001, data: new Uint8Array(0) },
    ]),
  },
  {
    name: "UPDATE + SEQ + ACK",
    hex: `3b061021 00000000 ${HITS} 01810004 00000001 01c10004 00000001`,
    pkt: pkt(16, [
      { kind: "SEQ", updateId: 1 },
      { kind: "ACK", updateIds: [1] },
    ]),
  },
  { name: "NOTIFY + NOTIFICATION", hex: `3b061121 00000000 ${HITS} 03400006 00000001 abcd0000 00000000`, pkt: pkt(17, [{ kind: "NOTIFICATION", notifyType: 1, data: b("abcd") }]) },
  { name: "CLOSE + ECHO_REQUEST_SIGNED", hex: `3b051221 00000000 ${HITS} 03810004 deadbeef`, pkt: pkt(18, [{ kind: "ECHO_REQUEST_SIGNED", data: b("deadbeef") }]) },
  { name: "CLOSE_ACK + ECHO_RESPONSE_SIGNED", hex: `3b051321 00000000 ${HITS} 03c10004 deadbeef`, pkt: pkt(19, [{ kind: "ECHO_RESPONSE_SIGNED", data: b("deadbeef") }]) },
];

for (const c of CASES) {
  test(`vector: ${c.name}`, () => {
    const bytes = b(c.hex);
    assert.equal(hex(emitPacket(c.pkt)), hex(bytes));
    const r = parsePacket(bytes);
    assert.ok(r.ok, !r.ok ? r.error.message : "");
    assert.deepEqual(r.value.params, c.pkt.params);
    assert.equal(r.value.packetType, c.pkt.packetType);
  });
}

const I1 = CASES[0].hex;
const R1 = CASES[1].hex;
const BAD: { name: string; hex: string; code: WireErrorCode; offset: number }[] = [
  { name: "shorter than the fixed header", hex: "3b040121 00000000 2001", code: E.TRUNCATED, offset: 10 },
  { name: "Header Length says more than we have", hex: I1.replace(/^3b05/, "3b06"), code: E.TRUNCATED, offset: 48 },
  { name: "bytes after Header Length", hex: I1.replace(/^3b05/, "3b04"), code: E.TRAILING_BYTES, offset: 40 },
  { name: "Header Length < 4", hex: I1.replace(/^3b05/, "3b03"), code: E.BAD_HEADER_LENGTH, offset: 1 },
  { name: "Next Header not 59", hex: I1.replace(/^3b/, "06"), code: E.BAD_NEXT_HEADER, offset: 0 },
  { name: "version 1", hex: I1.replace(/^3b050121/, "3b050111"), code: E.BAD_VERSION, offset: 3 },
  { name: "fixed bit of byte 3 clear", hex: I1.replace(/^3b050121/, "3b050120"), code: E.BAD_FIXED_BITS, offset: 3 },
  { name: "fixed bit of byte 2 set", hex: I1.replace(/^3b050121/, "3b058121"), code: E.BAD_FIXED_BITS, offset: 2 },
  { name: "packet type 0", hex: I1.replace(/^3b050121/, "3b050021"), code: E.BAD_PACKET_TYPE, offset: 2 },
  { name: "TLV Length overruns the packet", hex: I1.replace(/01ff0002/, "01ff0005"), code: E.PARAM_OVERRUN, offset: 40 },
  {
    name: "parameters out of order (PUZZLE before R1_COUNTER)",
    hex: `3b080221 00000000 ${HITS} 0101000c 0a25beef 01020304 05060708 0081000c 00000000 00000000 00000005`,
    code: E.PARAM_ORDER,
    offset: 56,
  },
  { name: "R1_COUNTER with Length 8", hex: R1.replace("0081000c 00000000 00000000 00000005", "00810008 00000000 00000005 00000000"), code: E.PARAM_LENGTH, offset: 44 },
  { name: "FA_INFO with Addr type 5", hex: CASES[7].hex.replace("001f9004", "001f9005"), code: E.PARAM_VALUE, offset: 55 },
  { name: "HMAC of 16 bytes", hex: CASES[5].hex.replace(`fffc0014 ${"bb".repeat(20)}`, `fffc0010 ${"bb".repeat(16)} 00000000`), code: E.PARAM_LENGTH, offset: 60 },
];

for (const c of BAD) {
  test(`malformed: ${c.name} → ${c.code} @${c.offset}`, () => {
    const r = parsePacket(b(c.hex));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.code, c.code, r.error.message);
    assert.equal(r.error.offset, c.offset, r.error.message);
  });
}

test("walk: WASM and TS agree on the malformed vectors and report the failing TLV", () => {
  for (const c of [...BAD, ...CASES]) {
    const bytes = b(c.hex);
    assert.deepEqual(walkParams(bytes, 40), walkParamsTs(bytes, 40));
  }
  const t = walkParamsTs(b("00010002 abcd0000 0002"), 0);
  assert.ok(!t.ok && t.error.code === E.PARAM_TRUNCATED && t.error.offset === 8);
  const rep = walkParamsTs(b("00800000 00000000 00800000 00000000"), 0);
  assert.ok(rep.ok && rep.value.count === 2, "equal types may repeat (REA_INFO ×n)");
});
