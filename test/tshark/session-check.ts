// tshark as an independent decoder of a captured session (pcap + tshark-format ESP keys): every
// HIP packet's checksum good, every ESP ICV good, and the decrypted inner UDP payloads carry `text`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { tsharkEspArgs } from "../../src/capture/esp-sa.ts";
import { readPcapFile } from "../../src/capture/pcap-file.ts";
import { parseIpPacket, parseUdp } from "../../src/capture/parse-ip.ts";
import { espDemuxLua, tsharkFields } from "../helpers/tshark.ts";

export async function checkSessionPcap(pcap: string, espSa: string, text: RegExp): Promise<{ hip: number; esp: number }> {
  // Hosts may use ephemeral ports: tell tshark that they carry UDP/10500 framing.
  const cap = readPcapFile(pcap);
  assert.ok("records" in cap, "pcap parses");
  const ports = new Set<number>();
  for (const rec of cap.records) {
    const ip = parseIpPacket(rec.data);
    assert.ok("payload" in ip, "IP packet");
    const udp = parseUdp(ip);
    assert.ok("srcPort" in udp, "UDP datagram");
    ports.add(udp.srcPort);
    ports.add(udp.dstPort);
  }
  const decodeAs = [...ports].flatMap((p) => ["-d", `udp.port==${p},hipmm_udp`]);
  const lines = readFileSync(espSa, "utf8").split("\n").filter(Boolean);
  const rows = await tsharkFields(pcap, ["hip.type", "hip.checksum.status", "esp.spi", "esp.icv_good", "esp.icv_bad", "esp.contained_data"], {
    lua: [espDemuxLua],
    args: [...tsharkEspArgs(lines), ...decodeAs],
    timeoutMs: 20_000,
  });
  assert.equal(rows.length, cap.records.length);
  let hip = 0;
  let esp = 0;
  const inner: string[] = [];
  for (const [type, csum, spi, good, bad, data] of rows) {
    if (type.length > 0) {
      hip++;
      assert.deepEqual(csum, ["1"], `HIP type ${type[0]}: checksum good`);
    } else {
      esp++;
      assert.equal(spi.length, 1, "ESP dissected");
      assert.deepEqual([good, bad], [["1"], ["0"]], `ESP spi ${spi[0]}: ICV good`);
      // BEET: the contained data is the inner UDP header (8 bytes) and the application data.
      inner.push(Buffer.from(data.join(""), "hex").subarray(8).toString("latin1"));
    }
  }
  assert.ok(hip >= 4, `HIP packets: ${hip}`);
  assert.ok(esp >= 2, `ESP packets: ${esp}`);
  assert.ok(inner.some((s) => text.test(s)), `decrypted payloads: ${JSON.stringify(inner)}`);
  return { hip, esp };
}
