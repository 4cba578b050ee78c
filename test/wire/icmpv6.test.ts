// ICMPv6 echo (RFC 4443 §4.1/§4.2) with the pseudo-header checksum (RFC 4443 §2.3, RFC 8200 §8.1).
// Vectors: an Echo Request / Reply pair the Linux kernel produced (`ping -6 -c 1 -p 68697061
// -s 12 ::1`, captured with tcpdump on lo: identifier 0x4cb5, sequence 1, checksums 0xa898 /
// 0xa798, which tshark called good). Our emit must produce the same bytes, and parse them back.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromHex, hex } from "../../src/core/bytes.ts";
import { WireErrorCode as E } from "../../src/wire/error.ts";
import {
  beetChecksum, echoReplyFor, emitIcmpv6, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, Icmpv6View, IPPROTO_ICMPV6, isEcho, parseIcmpv6,
} from "../../src/wire/icmpv6.ts";

const LOOPBACK = fromHex("00000000000000000000000000000001")!;
const KERNEL_REQUEST = "8000a8984cb50001686970616869706168697061";
const KERNEL_REPLY = "8100a7984cb50001686970616869706168697061";
const DATA = new TextEncoder().encode("hipahipahipa");
const HIT_A = fromHex("2001002017c3a6f2e0e4a0b7d94ba713")!;
const HIT_B = fromHex("20010020ad72d20b4a8bfa6b0cf64ce2")!;

test("kernel echo request / reply: parse, and emit the same bytes", () => {
  const req = parseIcmpv6(LOOPBACK, LOOPBACK, fromHex(KERNEL_REQUEST)!);
  assert.ok(req.ok);
  assert.deepEqual(req.value, { type: ICMPV6_ECHO_REQUEST, code: 0, identifier: 0x4cb5, sequence: 1, data: DATA });
  assert.equal(hex(emitIcmpv6(LOOPBACK, LOOPBACK, req.value)), KERNEL_REQUEST);
  assert.ok(isEcho(req.value));
  assert.equal(hex(echoReplyFor(LOOPBACK, LOOPBACK, req.value)), KERNEL_REPLY);
  const rep = parseIcmpv6(LOOPBACK, LOOPBACK, fromHex(KERNEL_REPLY)!);
  assert.ok(rep.ok && isEcho(rep.value) && rep.value.type === ICMPV6_ECHO_REPLY && rep.value.sequence === 1);
});

test("view fields and beetChecksum agree with the kernel's checksum", () => {
  const b = fromHex(KERNEL_REQUEST)!;
  const v = new Icmpv6View(b);
  assert.equal(v.type, 128);
  assert.equal(v.checksum, 0xa898);
  assert.equal(v.identifier, 0x4cb5);
  assert.equal(v.sequence, 1);
  assert.deepEqual(v.data, DATA);
  assert.equal(beetChecksum(LOOPBACK, LOOPBACK, IPPROTO_ICMPV6, b, 2), 0xa898);
});

test("the checksum covers the pseudo-header: other addresses do not verify", () => {
  const b = fromHex(KERNEL_REQUEST)!;
  const r = parseIcmpv6(HIT_A, HIT_B, b);
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.error.code === E.BAD_CHECKSUM && r.error.offset === 2);
  // Built between HITs, it verifies between those HITs (either order: both are added) only.
  const m = emitIcmpv6(HIT_A, HIT_B, { type: ICMPV6_ECHO_REQUEST, code: 0, identifier: 7, sequence: 9, data: DATA });
  assert.ok(parseIcmpv6(HIT_A, HIT_B, m).ok);
  assert.ok(parseIcmpv6(HIT_B, HIT_A, m).ok, "the pseudo-header sum is symmetric in src/dst");
  assert.equal(parseIcmpv6(HIT_A, LOOPBACK, m).ok, false);
});

test("every single-bit flip is caught; truncated messages are errors with offsets", () => {
  const m = emitIcmpv6(HIT_A, HIT_B, { type: ICMPV6_ECHO_REQUEST, code: 0, identifier: 0x1234, sequence: 0xfffe, data: DATA });
  for (let i = 0; i < m.length * 8; i++) {
    const c = m.slice();
    c[i >> 3] ^= 1 << (i & 7);
    assert.equal(parseIcmpv6(HIT_A, HIT_B, c).ok, false, `bit ${i}`);
  }
  const t3 = parseIcmpv6(HIT_A, HIT_B, m.subarray(0, 3));
  assert.ok(!t3.ok && t3.error.code === E.TRUNCATED && t3.error.offset === 3);
  const t6 = parseIcmpv6(HIT_A, HIT_B, m.subarray(0, 6));
  assert.ok(!t6.ok && t6.error.code === E.TRUNCATED && t6.error.offset === 6);
});

test("other types keep their body; odd lengths checksum right", () => {
  // Destination Unreachable (type 1, code 4 port unreachable), 4 unused bytes + 3 bytes: odd.
  const body = fromHex("00000000600000")!;
  const m = emitIcmpv6(HIT_A, HIT_B, { type: 1, code: 4, body });
  const r = parseIcmpv6(HIT_A, HIT_B, m);
  assert.ok(r.ok);
  assert.deepEqual(r.value, { type: 1, code: 4, body });
  assert.equal(isEcho(r.value), false);
  assert.equal(beetChecksum(HIT_A, HIT_B, IPPROTO_ICMPV6, m, 2), (m[2] << 8) | m[3]);
});

/** RFC 1071 byte by byte: the reference the word-wise sum must equal. */
function referenceChecksum(src: Uint8Array, dst: Uint8Array, nh: number, seg: Uint8Array, at: number): number {
  const bytes = [...src, ...dst, (seg.length >>> 24) & 255, (seg.length >>> 16) & 255, (seg.length >>> 8) & 255, seg.length & 255, 0, 0, 0, nh, ...seg];
  bytes[32 + 8 + at] = 0;
  bytes[32 + 8 + at + 1] = 0;
  let acc = 0;
  for (let i = 0; i < bytes.length; i += 2) acc += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return ~acc & 0xffff;
}

test("the word-wise checksum equals RFC 1071 byte by byte: every length to 300, large segments, all alignments, all-ones carries", () => {
  let seed = 7;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 24;
  };
  const lengths = [...Array.from({ length: 301 }, (_, i) => i), 1400, 1408, 9000, 65535, 70001];
  let checked = 0;
  for (const len of lengths) {
    for (const offset of [0, 1, 2, 3, 4]) {
      for (const fill of ["random", "ones"] as const) {
        if (len > 2000 && fill === "random" && offset > 0) continue;
        const backing = new Uint8Array(len + 8);
        const seg = backing.subarray(offset, offset + len);
        for (let i = 0; i < len; i++) seg[i] = fill === "ones" ? 0xff : rnd();
        const at = len >= 8 ? 6 : len; // a UDP checksum field, or none
        assert.equal(beetChecksum(HIT_A, HIT_B, 17, seg, at), referenceChecksum(HIT_A, HIT_B, 17, seg, at), `len ${len} offset ${offset} ${fill}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 3000);
});
