// Names a UDP/10500 datagram for timelines (PROFILE §3 framing): HIP control packets by type
// (RFC 7401 §5.3 + PROFILE §2 numbers), ESP by SPI and sequence number (RFC 4303 §2).
import { classifyDatagram } from "../wire/framing.ts";
import { PacketType } from "../wire/constants.ts";

const NAMES = new Map<number, string>(Object.entries(PacketType).map(([k, v]) => [v as number, k]));

/** A short name of a UDP/10500 datagram for timelines ("I1", "ESP spi=… seq=…", "keepalive"). */
export function describeDatagram(data: Uint8Array): string {
  const d = classifyDatagram(data);
  if (!d.ok) return `malformed (${d.error.message})`;
  const v = d.value;
  if (v.kind === "keepalive") return "keepalive";
  if (v.kind === "esp") {
    const seq = ((data[4] << 24) | (data[5] << 16) | (data[6] << 8) | data[7]) >>> 0;
    return `ESP spi=0x${v.spi.toString(16).padStart(8, "0")} seq=${seq}`;
  }
  if (v.packet.length < 4) return "HIP (truncated)";
  const type = v.packet[2] & 0x7f; // RFC 7401 §5.1: Packet Type is 7 bits after a 0 bit
  return NAMES.get(type) ?? `HIP type ${type}`;
}
