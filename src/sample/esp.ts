// Sample ESP traffic (RFC 4303, BEET mode per RFC 7402 §3.1 / PROFILE §3) sealed by the real
// data plane (src/esp/dataplane.ts), with keys drawn from the sample association's KEYMAT
// (RFC 7402 §7), plus the tshark esp_sa entries that decrypt it. The inner payload is an
// upper-layer UDP datagram between the HITs (next header 17).
import { bytesToIp } from "../core/addr.ts";
import { HIP_UDP_PORT } from "../core/types.ts";
import type { EspSaEntry } from "../capture/esp-sa.ts";
import { buildUdpSegment, IPPROTO_UDP } from "../capture/ip.ts";
import type { PcapWriter } from "../capture/pcap.ts";
import { DataPlane } from "../esp/dataplane.ts";
import { type EspSuite, espKeyLengths } from "../esp/types.ts";
import { drawEspKeys } from "../hip/keymat.ts";
import { DEFAULT_SAMPLE_SEED, SAMPLE_EPOCH_MS, sampleWorld } from "./world.ts";
import { useEmbeddedWasm } from "../wasm/loader.ts";

// Not in a hipmm/worker bundle: the embedded WASM module is the default DataPlane (src/wasm/loader.ts).
useEmbeddedWasm();

/** Suites the ESP sample covers: AES-128-CBC + HMAC-SHA1-96 and AES-GCM-16 (RFC 7402 §5.1.2). */
export const SAMPLE_ESP_SUITES: readonly EspSuite[] = [1, 13];

export interface SampleEspPacket {
  suite: EspSuite;
  spi: number;
  seq: number;
  /** Outer UDP/10500 locators. */
  src: string;
  dst: string;
  /** Upper-layer payload sealed (UDP header + data, between the HITs). */
  inner: Uint8Array;
  nextHeader: number;
  /** The ESP packet (SPI … ICV): the UDP/10500 payload. */
  esp: Uint8Array;
}

export interface SampleEsp {
  packets: SampleEspPacket[];
  sas: EspSaEntry[];
}

/** Per suite: two packets Initiator → Responder and one back, each SA with its own SPI. */
export function sampleEsp(seed = DEFAULT_SAMPLE_SEED, dp: DataPlane = new DataPlane()): SampleEsp {
  const w = sampleWorld(seed);
  const hitI = bytesToIp(w.initiator.id.hit);
  const hitR = bytesToIp(w.responder.id.hit);
  const packets: SampleEspPacket[] = [];
  const sas: EspSaEntry[] = [];
  for (const suite of SAMPLE_ESP_SUITES) {
    const len = espKeyLengths(suite);
    // Outbound = Initiator's direction (RFC 7402 §7: keys drawn after the HIP keys).
    const keys = drawEspKeys(w.keymat, w.hipKeysI.espIndex, len.enc, len.auth, w.initiatorIsGreater)!;
    const dirs = [
      { from: w.initiator.ip, to: w.responder.ip, spi: (w.spiR + suite) >>> 0, enc: keys.outEnc, auth: keys.outAuth, hits: [hitI, hitR], n: 2 },
      { from: w.responder.ip, to: w.initiator.ip, spi: (w.spiI + suite) >>> 0, enc: keys.inEnc, auth: keys.inAuth, hits: [hitR, hitI], n: 1 },
    ];
    for (const d of dirs) {
      const handle = dp.installSa({ spi: d.spi, suite, encKey: d.enc, authKey: d.auth, ivSeed: w.rng.fill(new Uint8Array(16)), direction: "out" });
      sas.push({ src: d.from, dst: d.to, spi: d.spi, suite, encKey: d.enc, authKey: d.auth });
      for (let k = 1; k <= d.n; k++) {
        const data = new TextEncoder().encode(`hipmm sample: ESP suite ${suite}, SPI 0x${d.spi.toString(16)}, packet ${k}`);
        const inner = buildUdpSegment({ ip: d.hits[0], port: 7000 + k }, { ip: d.hits[1], port: 7000 }, data);
        const r = dp.sealOne(handle, IPPROTO_UDP, inner);
        if (r.status !== 0) throw new Error(`sample: seal failed with status ${r.status}`);
        packets.push({ suite, spi: d.spi, seq: r.seq, src: d.from, dst: d.to, inner, nextHeader: IPPROTO_UDP, esp: r.packet });
      }
      dp.removeSa(handle);
    }
  }
  return { packets, sas };
}

/** UDP/10500 frames, one per ESP packet. */
export function writeSampleEsp(pw: PcapWriter, s: SampleEsp, t0 = SAMPLE_EPOCH_MS + 1000): void {
  s.packets.forEach((p, n) => {
    pw.writeUdp(t0 + n * 10, { ip: p.src, port: HIP_UDP_PORT }, { ip: p.dst, port: HIP_UDP_PORT }, p.esp);
  });
}
