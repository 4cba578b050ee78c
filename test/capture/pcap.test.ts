import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { appendEspSaFile, writeEspSaFile } from "../../src/capture/esp-sa-file.ts";
import { espSaUatLine, tsharkEspArgs, uniqueEspSas } from "../../src/capture/esp-sa.ts";
import { buildIpv4, buildIpv6, buildUdp, IPPROTO_HIP, inetChecksum, onesSum } from "../../src/capture/ip.ts";
import { demuxUdpPayload, isCaptureError, parseIpPacket, parseUdp } from "../../src/capture/parse-ip.ts";
import { createPcapFile, readPcapFile } from "../../src/capture/pcap-file.ts";
import { isPcap, LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_RAW, linkPayload, PcapReader, PcapWriter, parsePcap } from "../../src/capture/pcap.ts";
import { tsharkFields, tsharkSkip } from "../helpers/tshark.ts";

const A = { ip: "192.0.2.1", port: 10500 };
const B = { ip: "198.51.100.7", port: 40000 };
const A6 = { ip: "2001:db8::1", port: 10500 };
const B6 = { ip: "2001:db8:1::7", port: 10500 };

test("RFC 1071 checksum: worked example and odd split parts", () => {
  // RFC 1071 §3 example: 0001 f203 f4f5 f6f7 → sum ddf2
  const data = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
  assert.equal(onesSum([data]), 0xddf2);
  assert.equal(inetChecksum(data), ~0xddf2 & 0xffff);
  assert.equal(onesSum([data.subarray(0, 3), data.subarray(3, 5), data.subarray(5)]), 0xddf2);
  assert.equal(onesSum([Uint8Array.of(0xab)]), 0xab00);
});

test("IPv4 header checksum verifies; UDP checksums verify in both families", () => {
  const p4 = buildIpv4("10.0.0.1", "10.0.0.2", IPPROTO_HIP, new Uint8Array(40), { ttl: 7, id: 0x1234 });
  assert.equal(onesSum([p4.subarray(0, 20)]), 0xffff);
  assert.equal(p4[8], 7);
  for (const [from, to] of [
    [A, B],
    [A6, B6],
  ]) {
    const pkt = buildUdp(from, to, Uint8Array.of(0, 0, 0, 0, 1, 2, 3));
    const ip = parseIpPacket(pkt);
    assert.ok(!isCaptureError(ip));
    const udp = parseUdp(ip);
    assert.ok(!isCaptureError(udp));
    assert.equal(udp.checksumOk, true);
    assert.equal(udp.srcPort, from.port);
    assert.deepEqual([...udp.payload], [0, 0, 0, 0, 1, 2, 3]);
    pkt[pkt.length - 1] ^= 1;
    assert.equal((parseUdp(parseIpPacket(pkt) as never) as { checksumOk: boolean }).checksumOk, false);
  }
  // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d: logged as IPv4.
  const mapped = parseIpPacket(buildUdp({ ip: "::ffff:192.0.2.1", port: 1 }, B, new Uint8Array(1)));
  assert.ok(!isCaptureError(mapped) && mapped.version === 4 && mapped.src === "192.0.2.1");
  const mixed = parseIpPacket(buildUdp(A, B6, new Uint8Array(1)));
  assert.ok(!isCaptureError(mixed) && mixed.version === 6 && mixed.src === "192.0.2.1");
  assert.equal((parseUdp(mixed) as { checksumOk: boolean }).checksumOk, true);
});

test("parseIpPacket reports truncation and bad versions as values with offsets", () => {
  const p = buildIpv6("2001:db8::1", "2001:db8::2", IPPROTO_HIP, new Uint8Array(48));
  const cut = parseIpPacket(p.subarray(0, 60));
  assert.ok(isCaptureError(cut));
  assert.equal(cut.code, "IP_TRUNCATED");
  assert.equal(cut.offset, 4);
  const bad = parseIpPacket(Uint8Array.of(0x50, 0, 0));
  assert.ok(isCaptureError(bad) && bad.code === "IP_BAD_VERSION");
});

test("UDP/10500 demux: zero marker → HIP, else ESP SPI/seq, 0xff keepalive", () => {
  const hip = demuxUdpPayload(Uint8Array.of(0, 0, 0, 0, 59, 4), 28);
  assert.ok(!isCaptureError(hip) && hip.kind === "hip");
  assert.deepEqual([hip.offset, [...hip.packet]], [32, [59, 4]]);
  const esp = demuxUdpPayload(Uint8Array.of(0, 0, 1, 0, 0, 0, 0, 9, 0xaa));
  assert.deepEqual(esp, { kind: "esp", spi: 256, seq: 9, offset: 0, length: 9 });
  assert.deepEqual(demuxUdpPayload(Uint8Array.of(0xff)), { kind: "keepalive", offset: 0 });
  assert.equal((demuxUdpPayload(Uint8Array.of(1, 2)) as { code: string }).code, "UDP_SHORT_PAYLOAD");
});

test("pcap writer → reader round trip, micro and nano, chunked input", () => {
  for (const nanos of [false, true]) {
    const w = new PcapWriter({ nanos });
    w.writeUdp(1_700_000_000_123.456, A, B, Uint8Array.of(1, 2, 3));
    w.writeHip(1_700_000_001_000, "2001:db8::1", "2001:db8::2", new Uint8Array(40));
    const file = w.bytes();
    assert.ok(isPcap(file));
    const r = new PcapReader();
    const recs = [];
    for (let i = 0; i < file.length; i += 7) {
      r.push(file.subarray(i, i + 7));
      for (let rec = r.next(); rec; rec = r.next()) recs.push(rec);
    }
    assert.equal(r.finish(), undefined);
    assert.equal(r.header?.nanos, nanos);
    assert.equal(r.header?.linktype, LINKTYPE_RAW);
    assert.equal(recs.length, 2);
    assert.ok(Math.abs(recs[0].time - 1_700_000_000_123.456) < (nanos ? 1e-5 : 1e-3));
    assert.equal(recs[1].data.length, 80);
    assert.equal(recs[1].fileOffset, 24 + 16 + recs[0].data.length);
  }
  const cut = parsePcap(new PcapWriter().bytes().subarray(0, 10));
  assert.ok(isCaptureError(cut) && cut.code === "PCAP_TRUNCATED");
  const w = new PcapWriter();
  w.writeUdp(0, A, B, new Uint8Array(4));
  const partial = parsePcap(w.bytes().subarray(0, 50));
  assert.ok(isCaptureError(partial) && partial.code === "PCAP_TRUNCATED" && partial.offset === 24);
  assert.throws(() => new PcapWriter({ linktype: LINKTYPE_IPV4 }).writeUdp(0, A6, B6, new Uint8Array(1)));
});

test("link layers: Ethernet and raw frames give the IP packet", () => {
  const ip = buildUdp(A, B, new Uint8Array(4));
  const eth = new Uint8Array(14 + ip.length);
  eth[12] = 0x08;
  eth.set(ip, 14);
  assert.deepEqual(linkPayload(LINKTYPE_ETHERNET, eth), ip);
  assert.equal(linkPayload(LINKTYPE_RAW, ip), ip);
  eth[12] = 0x08;
  eth[13] = 0x06; // ARP
  assert.equal(linkPayload(LINKTYPE_ETHERNET, eth), undefined);
});

test("tshark accepts our IPv4/UDP checksums and reads our timestamps", { skip: tsharkSkip() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-pcap-"));
  const path = join(dir, "udp.pcap");
  const w = createPcapFile(path, { nanos: true });
  w.writeUdp(1_000_000.5, A, B, Uint8Array.of(0xff));
  w.writeUdp(2_000_000, A6, B6, new Uint8Array(33));
  w.writeHip(3_000_000, "10.0.0.1", "10.0.0.2", new Uint8Array(40));
  w.close();
  const back = readPcapFile(path);
  assert.ok(!isCaptureError(back) && back.records.length === 3);
  const rows = await tsharkFields(path, ["frame.time_epoch", "ip.checksum.status", "udp.checksum.status", "ip.proto", "ipv6.nxt"], {
    args: ["-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"],
  });
  assert.equal(rows.length, 3);
  assert.equal(rows[0][0][0], "1000.000500000");
  assert.deepEqual(rows[0][1], ["1"]); // Good
  assert.deepEqual(rows[0][2], ["1"]);
  assert.deepEqual(rows[1][2], ["1"]);
  assert.deepEqual(rows[2][3], ["139"]);
});

test("esp_sa UAT lines: exact tshark names, key checks, file mode 0600", () => {
  const line = espSaUatLine({ src: "192.0.2.1", dst: "*", spi: 0x1234, suite: 1, encKey: new Uint8Array(16).fill(1), authKey: new Uint8Array(20) });
  assert.equal(
    line,
    `"IPv4","192.0.2.1","*","0x00001234","AES-CBC [RFC3602]","0x${"01".repeat(16)}","HMAC-SHA-1-96 [RFC2404]","0x${"00".repeat(20)}"`,
  );
  const gcm = espSaUatLine({ src: "2001:db8::1", dst: "2001:db8::2", spi: 7, suite: 13, encKey: new Uint8Array(20), authKey: new Uint8Array(0) });
  assert.match(gcm, /^"IPv6",.*"AES-GCM with 16 octet ICV \[RFC4106\]","0x0{40}","NULL",""$/);
  assert.throws(() => espSaUatLine({ src: "*", dst: "*", spi: 1, suite: 1, encKey: new Uint8Array(15), authKey: new Uint8Array(20) }));
  assert.throws(() => espSaUatLine({ src: "*", dst: "*", spi: 1, suite: 99, encKey: new Uint8Array(0), authKey: new Uint8Array(0) }));
  assert.deepEqual(tsharkEspArgs([line, ""]).slice(-2), ["-o", `uat:esp_sa:${line}`]);
  const path = join(mkdtempSync(join(tmpdir(), "hipmm-sa-")), "esp_sa");
  writeEspSaFile(path, [{ src: "*", dst: "*", spi: 9, suite: 7, encKey: new Uint8Array(0), authKey: new Uint8Array(32) }]);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  // tshark 4.0 has no wildcard protocol: an SA with unknown addresses gets one line per family.
  assert.match(readFileSync(path, "utf8"), /^"IPv4","\*","\*","0x00000009","NULL","","HMAC-SHA-256-128 \[RFC4868\]","0x0{64}"\n"IPv6","\*","\*","0x00000009",.*\n$/);
  // One SA seen from both hosts (A's out is B's in) is one entry; the same SPI with other keys is not.
  const k = (spi: number, key: number) => ({ spi, suite: 7, encKey: new Uint8Array(0), authKey: new Uint8Array(32).fill(key) });
  assert.deepEqual(uniqueEspSas([k(9, 1), k(9, 1), k(9, 2), k(10, 1)]).map((e) => [e.spi, e.authKey[0]]), [[9, 1], [9, 2], [10, 1]]);
  // Later SAs are appended (a host that rekeys often writes each SA once); the file stays 0600.
  appendEspSaFile(path, [{ src: "*", dst: "*", spi: 10, suite: 7, encKey: new Uint8Array(0), authKey: new Uint8Array(32) }]);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => l.split(",")[3]), ['"0x00000009"', '"0x00000009"', '"0x0000000a"', '"0x0000000a"']);
});
