// Checksum (RFC 7401 §5.1.1, cross-checked with tshark), UDP/10500 demux (RFC 5770) and tunnel frames.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ipToBytes, ipv4Bytes } from "../../src/core/addr.ts";
import { hipChecksum, verifyChecksum } from "../../src/wire/checksum.ts";
import { WireErrorCode as E } from "../../src/wire/error.ts";
import { classifyDatagram, frameHip } from "../../src/wire/framing.ts";
import { emitPacket, type HipPacket, parsePacket } from "../../src/wire/packet.ts";
import { emitTunnelFrame, parseTunnelFrame, TunnelFrameType } from "../../src/wire/tunnel.ts";
import { tsharkFields, tsharkSkip } from "../helpers/tshark.ts";

const R1: HipPacket = {
  packetType: 2,
  controls: 0,
  senderHit: ipToBytes("2001:20::1")!,
  receiverHit: ipToBytes("2001:20::2")!,
  params: [
    { kind: "R1_COUNTER", counter: 5n },
    { kind: "PUZZLE", k: 10, lifetime: 37, opaque: 0xbeef, randomI: new Uint8Array(48).fill(7) },
    { kind: "DH_GROUP_LIST", groups: [7, 8] },
    { kind: "HMAC", hmac: new Uint8Array(20) },
  ],
};

test("checksum: computed over the pseudo-header, verified, and sensitive to addresses and bytes", () => {
  for (const [src, dst] of [
    ["192.0.2.1", "198.51.100.2"],
    ["2001:db8::1", "2001:db8::2"],
  ]) {
    const b = emitPacket(R1, { src, dst });
    assert.ok(verifyChecksum(b, src, dst));
    assert.ok(parsePacket(b, { src, dst }).ok);
    assert.ok(!verifyChecksum(b, dst, src === "192.0.2.1" ? "192.0.2.9" : "2001:db8::9"));
    const bad = b.slice();
    bad[60] ^= 1;
    const r = parsePacket(bad, { src, dst });
    assert.ok(!r.ok && r.error.code === E.BAD_CHECKSUM && r.error.offset === 4);
    assert.ok(parsePacket(bad).ok, "no addresses → checksum not checked");
  }
  const zero = emitPacket(R1);
  assert.equal((zero[4] << 8) | zero[5], 0);
  assert.ok(!parsePacket(zero, { src: "192.0.2.1", dst: "192.0.2.2" }).ok);
  assert.ok(parsePacket(zero, { src: "192.0.2.1", dst: "192.0.2.2", allowZeroChecksum: true }).ok);
  assert.equal(hipChecksum(zero, "nope", "192.0.2.2"), undefined);
});

function pcap(frames: Uint8Array[]): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  const u16 = (v: number) => parts.push(v & 0xff, v >>> 8);
  u32(0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(65535);
  u32(101); // LINKTYPE_RAW
  for (const f of frames) {
    u32(0);
    u32(0);
    u32(f.length);
    u32(f.length);
    parts.push(...f);
  }
  return Uint8Array.from(parts);
}

function ipv4(src: string, dst: string, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(20 + payload.length);
  h.set([0x45, 0, (h.length >> 8) & 0xff, h.length & 0xff, 0, 0, 0, 0, 64, 139]);
  h.set(ipv4Bytes(src)!, 12);
  h.set(ipv4Bytes(dst)!, 16);
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += (h[i] << 8) | h[i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  h[10] = (~s >> 8) & 0xff;
  h[11] = ~s & 0xff;
  h.set(payload, 20);
  return h;
}

function ipv6(src: string, dst: string, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(40 + payload.length);
  h.set([0x60, 0, 0, 0, payload.length >> 8, payload.length & 0xff, 139, 64]);
  h.set(ipToBytes(src)!, 8);
  h.set(ipToBytes(dst)!, 24);
  h.set(payload, 40);
  return h;
}

test("tshark's HIP dissector accepts our checksum and TLV walk (IPv4 and IPv6)", { skip: tsharkSkip() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-wire-"));
  const file = join(dir, "hip.pcap");
  const v4 = emitPacket(R1, { src: "192.0.2.1", dst: "198.51.100.2" });
  const v6 = emitPacket(R1, { src: "2001:db8::1", dst: "2001:db8::2" });
  const broken = v4.slice();
  broken[5] ^= 0xff;
  writeFileSync(file, pcap([ipv4("192.0.2.1", "198.51.100.2", v4), ipv6("2001:db8::1", "2001:db8::2", v6), ipv4("192.0.2.1", "198.51.100.2", broken)]));
  const rows = await tsharkFields(file, ["hip.checksum.status", "hip.type", "hip.packet_type"]);
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[0][0], ["1"]);
  assert.deepEqual(rows[1][0], ["1"]);
  assert.deepEqual(rows[2][0], ["0"]);
  assert.deepEqual(rows[0][1], ["129", "257", "511", "65532"]);
  assert.deepEqual(rows[0][2], ["2"]);
});

test("UDP/10500 demux: zero marker → HIP, otherwise ESP SPI; keepalive; short datagrams", () => {
  const p = emitPacket(R1);
  const d = classifyDatagram(frameHip(p));
  assert.ok(d.ok && d.value.kind === "hip" && d.value.packet.length === p.length);
  const esp = classifyDatagram(Uint8Array.from([0, 0, 0x10, 0x01, 0, 0, 0, 1, 9, 9]));
  assert.ok(esp.ok && esp.value.kind === "esp" && esp.value.spi === 0x1001);
  assert.deepEqual(classifyDatagram(Uint8Array.of(0xff)), { ok: true, value: { kind: "keepalive" } });
  for (const short of [new Uint8Array(0), Uint8Array.of(0, 0, 0), Uint8Array.of(0, 0, 1, 0, 0)]) {
    const r = classifyDatagram(short);
    assert.ok(!r.ok && r.error.code === E.BAD_MARKER, String(short.length));
  }
});

test("tunnel frames: full and compact forms round-trip; bad version/type/flags/length rejected", () => {
  const full = { type: TunnelFrameType.DATAGRAM, src: { ip: "192.0.2.1", port: 10500 }, dst: { ip: "2001:db8::2", port: 4433 }, payload: Uint8Array.of(1, 2, 3) };
  const fb = emitTunnelFrame(full);
  assert.equal(fb.length, 43);
  assert.deepEqual([...fb.subarray(0, 8)], [1, 1, 0, 0, 0x29, 0x04, 0x11, 0x51]);
  assert.deepEqual(parseTunnelFrame(fb), { ok: true, value: full });
  const compact = { type: TunnelFrameType.PING, payload: Uint8Array.of(7) };
  const cb = emitTunnelFrame(compact);
  assert.deepEqual([...cb], [1, 2, 1, 0, 7]);
  assert.deepEqual(parseTunnelFrame(cb), { ok: true, value: compact });
  const bad = (bytes: number[], code: string, offset: number) => {
    const r = parseTunnelFrame(Uint8Array.from(bytes));
    assert.ok(!r.ok && r.error.code === code && r.error.offset === offset, `${bytes} ${!r.ok && r.error.code}`);
  };
  bad([1, 1, 1], E.FRAME_TRUNCATED, 3);
  bad([2, 1, 1, 0], E.FRAME_VERSION, 0);
  bad([1, 9, 1, 0], E.FRAME_TYPE, 1);
  bad([1, 1, 3, 0], E.FRAME_FLAGS, 2);
  bad([1, 1, 1, 5], E.FRAME_FLAGS, 3);
  bad([1, 1, 0, 0, 0, 0], E.FRAME_TRUNCATED, 6);
});
