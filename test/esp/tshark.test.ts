// tshark cross-check of the suites the capture sample does not cover: 7 (NULL + HMAC-SHA-256-128),
// 8 (AES-128-CBC + HMAC-SHA-256-128) and 9 (AES-256-CBC + HMAC-SHA-256-128), RFC 7402 §5.1.2.
// Packets sealed by the WASM data plane, written as UDP/10500 frames (src/sample/esp.ts), decoded
// by tshark with esp_sa UAT lines: ICV good, decrypted inner payload equal; a flipped bit is caught.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { espSaUatLine, tsharkEspArgs } from "../../src/capture/esp-sa.ts";
import { buildUdpSegment, IPPROTO_UDP } from "../../src/capture/ip.ts";
import { PcapWriter } from "../../src/capture/pcap.ts";
import { hex } from "../../src/core/bytes.ts";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { EspSuite } from "../../src/esp/types.ts";
import { type SampleEsp, type SampleEspPacket, writeSampleEsp } from "../../src/sample/esp.ts";
import { espDemuxLua, tsharkFields, tsharkSkip } from "../helpers/tshark.ts";
import { bytes, saPair } from "./helpers.ts";

const FIELDS = ["esp.spi", "esp.sequence", "esp.icv_good", "esp.icv_bad", "esp.protocol", "esp.contained_data"];
const SUITES = [EspSuite.NULL_SHA256, EspSuite.AES128_CBC_SHA256, EspSuite.AES256_CBC_SHA256];
const HIT_A = "2001:20::1";
const HIT_B = "2001:20::2";

function sealSample(): SampleEsp {
  const dp = new DataPlane();
  const s: SampleEsp = { packets: [], sas: [] };
  for (const suite of SUITES) {
    const spi = 0x5e5e0000 + suite;
    const [o] = saPair(suite, spi, 40 + suite);
    const h = dp.installSa(o);
    s.sas.push({ src: "192.0.2.1", dst: "192.0.2.2", spi, suite, encKey: o.encKey, authKey: o.authKey });
    // Lengths around the padding boundaries (RFC 4303 §2.4): 0, 13, 14 and 61 data bytes.
    for (const n of [0, 13, 14, 61]) {
      const inner = buildUdpSegment({ ip: HIT_A, port: 7001 }, { ip: HIT_B, port: 7000 }, bytes(n, n + suite));
      const r = dp.sealOne(h, IPPROTO_UDP, inner);
      assert.equal(r.status, 0);
      const p: SampleEspPacket = { suite, spi, seq: r.seq, src: "192.0.2.1", dst: "192.0.2.2", inner, nextHeader: IPPROTO_UDP, esp: r.packet };
      s.packets.push(p);
    }
  }
  return s;
}

function pcapOf(s: SampleEsp): string {
  const w = new PcapWriter();
  writeSampleEsp(w, s);
  const file = join(mkdtempSync(join(tmpdir(), "hipmm-esp-ts-")), "esp.pcap");
  writeFileSync(file, w.bytes());
  return file;
}

test("tshark: suites 7, 8, 9 sealed by the data plane decrypt and verify; tampering is flagged", { skip: tsharkSkip() }, async () => {
  const s = sealSample();
  const args = tsharkEspArgs(s.sas.map((e) => espSaUatLine(e)));
  const rows = await tsharkFields(pcapOf(s), FIELDS, { lua: [espDemuxLua], args, timeoutMs: 20_000 });
  assert.equal(rows.length, s.packets.length);
  rows.forEach(([spi, seq, good, bad, proto, inner], n) => {
    const e = s.packets[n];
    const label = `frame ${n + 1} (suite ${e.suite})`;
    assert.deepEqual(spi, [`0x${e.spi.toString(16).padStart(8, "0")}`], label);
    assert.deepEqual(seq, [String(e.seq)], label);
    assert.deepEqual([good, bad], [["1"], ["0"]], `${label}: ICV`);
    assert.deepEqual(proto, ["0x11"], label);
    assert.deepEqual(inner, [hex(e.inner)], `${label}: inner payload`);
  });
  const tampered = { ...s, packets: s.packets.map((p, n) => (n % 2 ? { ...p, esp: p.esp.map((b, i) => (i === 9 ? b ^ 0x40 : b)) } : p)) };
  const rows2 = await tsharkFields(pcapOf(tampered), FIELDS, { lua: [espDemuxLua], args, timeoutMs: 20_000 });
  assert.deepEqual(
    rows2.map((r) => r[3][0]),
    s.packets.map((_, n) => (n % 2 ? "1" : "0")),
  );
});
