// Writes sample HIP packets into a pcap: each packet twice, first as raw IP protocol 139
// (RFC 7401 §5.1), then as UDP/10500 with the 32-bit zero marker (RFC 5770 §5.1, PROFILE §3).
// The HIP checksum covers the same outer addresses in both framings.
import { HIP_UDP_PORT } from "../core/types.ts";
import type { PcapWriter } from "../capture/pcap.ts";
import type { SamplePacket } from "./packets.ts";
import { SAMPLE_EPOCH_MS } from "./world.ts";

/** Zero marker + HIP packet: the UDP/10500 payload of a HIP control packet. */
export function withZeroMarker(hip: Uint8Array): Uint8Array {
  const d = new Uint8Array(4 + hip.length);
  d.set(hip, 4);
  return d;
}

/** Frames written: 2 per packet (raw 139 at even index, UDP at odd index). */
export function writeSampleHip(w: PcapWriter, packets: readonly SamplePacket[], t0 = SAMPLE_EPOCH_MS): void {
  packets.forEach((p, n) => {
    const t = t0 + n * 10;
    w.writeHip(t, p.src, p.dst, p.bytes);
    w.writeUdp(t + 1, { ip: p.src, port: HIP_UDP_PORT }, { ip: p.dst, port: HIP_UDP_PORT }, withZeroMarker(p.bytes));
  });
}
