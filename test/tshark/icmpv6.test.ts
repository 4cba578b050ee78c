// ICMPv6 echo inside BEET ESP, checked by tshark as an independent decoder.
// tshark decrypts our ESP with the exported keys and dissects the inner packet as ICMPv6 (next
// header 58), but it checks that checksum against the *outer* addresses (it knows nothing of
// BEET's inner HIT addresses, RFC 7402 §3.1), so it calls every inner checksum bad. We therefore
// take the decrypted inner bytes tshark reports, put them in IPv6 packets HIT → HIT, and let
// tshark verify the checksum over that pseudo-header (RFC 4443 §2.3).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildIpv6 } from "../../src/capture/ip.ts";
import { espSaUatLine, tsharkEspArgs, type EspSaEntry } from "../../src/capture/esp-sa.ts";
import { createPcapFile } from "../../src/capture/pcap-file.ts";
import { PcapWriter } from "../../src/capture/pcap.ts";
import { bytesToIp } from "../../src/core/addr.ts";
import { fromHex } from "../../src/core/bytes.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { hitKey } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import type { StackEvent } from "../../src/runtime/stack.ts";
import { echoReplyFor, emitIcmpv6, ICMPV6_ECHO_REQUEST, type Icmpv6EchoRepr } from "../../src/wire/icmpv6.ts";
import { espDemuxLua, tsharkFields } from "../helpers/tshark.ts";
import { tsharkSkip } from "../helpers/tshark.ts";

const dir = () => mkdtempSync(join(tmpdir(), "hipmm-icmpv6-"));

/** ICMPv6 messages in IPv6 packets src → dst; tshark's type and checksum status per frame. */
async function tsharkIcmpv6(packets: { src: Uint8Array; dst: Uint8Array; msg: Uint8Array }[]): Promise<string[][]> {
  const w = new PcapWriter();
  for (const p of packets) w.writePacket(0, buildIpv6(bytesToIp(p.src), bytesToIp(p.dst), 58, p.msg));
  const path = join(dir(), "icmpv6.pcap");
  writeFileSync(path, w.bytes());
  const rows = await tsharkFields(path, ["icmpv6.type", "icmpv6.checksum.status", "icmpv6.echo.sequence_number"]);
  return rows.map((r) => r.map((c) => c.join(",")));
}

test("tshark: our ICMPv6 echo request and reply between HITs have good checksums (and a flipped bit is bad)", { skip: tsharkSkip() }, async () => {
  const a = fromHex("2001002017c3a6f2e0e4a0b7d94ba713")!;
  const b = fromHex("20010020ad72d20b4a8bfa6b0cf64ce2")!;
  const req: Icmpv6EchoRepr = { type: ICMPV6_ECHO_REQUEST, code: 0, identifier: 0xbeef, sequence: 3, data: new TextEncoder().encode("over HIP") };
  const m = emitIcmpv6(a, b, req);
  const bad = m.slice();
  bad[10] ^= 0x40;
  const rows = await tsharkIcmpv6([
    { src: a, dst: b, msg: m },
    { src: b, dst: a, msg: echoReplyFor(b, a, req) },
    { src: a, dst: b, msg: bad },
  ]);
  assert.deepEqual(rows, [
    ["128", "1", "3"],
    ["129", "1", "3"],
    ["128", "0", "3"],
  ]);
});

test("tshark: pings between two hosts on loopback: ESP ICVs good, inner next header 58, checksums good over the HITs", { skip: tsharkSkip(), timeout: 30_000 }, async () => {
  const d = dir();
  const pcapPath = join(d, "ping.pcap");
  const pcap = createPcapFile(pcapPath);
  const sas: EspSaEntry[] = [];
  const onEvent = (ev: StackEvent) => {
    if (ev.type === "sa-install") for (const sa of [ev.inbound, ev.outbound]) sas.push({ src: "*", dst: "*", spi: sa.spi, suite: sa.suite, encKey: sa.encKey, authKey: sa.authKey });
  };
  const rng = new SeededRng(58);
  const tap = (_dir: "in" | "out", now: number, data: Uint8Array, from: { ip: string; port: number }, to: { ip: string; port: number }) => pcap.writeUdp(now, from, to, data);
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 1 }, tap });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 1 } });
  a.on("event", onEvent);
  const aPort = a.locals[0].port;
  const bPort = b.locals[0].port;
  try {
    await a.connect(b.locals[0], b.hit, { timeoutMs: 10_000 });
    for (let seq = 1; seq <= 3; seq++) assert.equal((await a.ping(b.hit, { seq, data: new Uint8Array(24).fill(seq) })).sequence, seq);
  } finally {
    await Promise.all([a.close(), b.close()]);
    pcap.close();
  }
  const rows = await tsharkFields(pcapPath, ["udp.srcport", "esp.icv_good", "esp.protocol", "esp.contained_data"], {
    lua: [espDemuxLua],
    args: [...tsharkEspArgs(sas.map((s) => espSaUatLine(s))), "-d", `udp.port==${bPort},hipmm_udp`],
    filter: "esp",
    timeoutMs: 20_000,
  });
  assert.equal(rows.length, 6, "3 requests and 3 replies in ESP");
  const inner = rows.map(([sport, good, nh, data]) => {
    assert.deepEqual([good, nh], [["1"], ["0x3a"]], "ICV good, next header ICMPv6");
    const fromA = Number(sport[0]) === aPort;
    return { src: fromA ? a.hit : b.hit, dst: fromA ? b.hit : a.hit, msg: Buffer.from(data.join(""), "hex") };
  });
  assert.ok(inner.some((p) => hitKey(p.src) === hitKey(a.hit)) && inner.some((p) => hitKey(p.src) === hitKey(b.hit)));
  const checked = await tsharkIcmpv6(inner);
  assert.deepEqual(checked.map((r) => r.slice(0, 2)).sort(), [...Array(3).fill(["128", "1"]), ...Array(3).fill(["129", "1"])]);
});
