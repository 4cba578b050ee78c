// HIP over UDP (RFC 5770 §5.1, PROFILE §3): on UDP/10500 a datagram that starts with 32 zero
// bits is a HIP control packet (the HIP header follows the marker); any other datagram is ESP
// (RFC 4303) and starts with its SPI. A single 0xFF byte is a NAT keepalive (RFC 3948 §2.3).
import { err, ok, type Result, WireErrorCode as E } from "./error.ts";

/** One UDP/10500 datagram classified (RFC 5770 §5.1, PROFILE §3). */
export type Datagram =
  | {
      /** A HIP control packet. */
      kind: "hip";
      /** The HIP packet (after the zero marker). */
      packet: Uint8Array;
    }
  | {
      /** An ESP packet. */
      kind: "esp";
      /** Its SPI. */
      spi: number;
      /** The whole datagram (SPI first). */
      packet: Uint8Array;
    }
  | {
      /** A NAT keepalive (one 0xFF byte). */
      kind: "keepalive";
    };

/** Length of the zero marker in front of a HIP packet on UDP. */
export const HIP_UDP_MARKER_LEN = 4;

/** Classify a UDP/10500 datagram: HIP (zero marker), ESP (SPI) or keepalive. */
export function classifyDatagram(bytes: Uint8Array): Result<Datagram> {
  if (bytes.length === 1 && bytes[0] === 0xff) return ok({ kind: "keepalive" });
  if (bytes.length < 4) return err(E.BAD_MARKER, bytes.length, `datagram of ${bytes.length} bytes has no marker or SPI`);
  const spi = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  if (spi === 0) return ok({ kind: "hip", packet: bytes.subarray(4) });
  // ESP: SPI(4) + Sequence Number(4) at least (RFC 4303 §2).
  if (bytes.length < 8) return err(E.BAD_MARKER, bytes.length, "ESP datagram shorter than SPI + sequence number");
  return ok({ kind: "esp", spi, packet: bytes });
}

/** The zero marker + HIP packet, ready for UDP. */
export function frameHip(packet: Uint8Array): Uint8Array {
  const out = new Uint8Array(HIP_UDP_MARKER_LEN + packet.length);
  out.set(packet, HIP_UDP_MARKER_LEN);
  return out;
}
