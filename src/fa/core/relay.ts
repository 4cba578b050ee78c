// Relay frames between a leasing host and its FA (ours; docs/PROTOCOL.md §11). Over UDP a relay
// datagram is the marker 0x000000FA (an SPI from the IANA-reserved 1-255 range, RFC 4303 §2.1,
// so never ESP, and not the zero HIP marker) followed by a full-form tunnel frame
// (src/wire/tunnel.ts); over a WebSocket the tunnel frame alone. Host → FA: src = the leased
// locator, dst = the peer; FA → host: src = the peer, dst = the leased locator. The payload is
// the UDP/10500 datagram as it travels between FA and peer (zero marker + HIP, or ESP).
import { ipToBytes } from "../../core/addr.ts";
import type { Locator } from "../../core/types.ts";
import { emitTunnelFrame, parseTunnelFrame, TUNNEL_FULL_HEADER, type TunnelFrame, TunnelFrameType } from "../../wire/tunnel.ts";

export const RELAY_MARKER = 0xfa;
export const RELAY_MARKER_LEN = 4;
export const RELAY_HEADER = RELAY_MARKER_LEN + TUNNEL_FULL_HEADER;

export function isRelay(d: Uint8Array): boolean {
  return d.length >= RELAY_HEADER && d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === RELAY_MARKER;
}

/** Marker + full tunnel frame around `payload` (UDP form). `.subarray(4)` is the tunnel form. */
export function wrapRelay(src: Locator, dst: Locator, payload: Uint8Array): Uint8Array {
  const frame = emitTunnelFrame({ type: TunnelFrameType.DATAGRAM, src, dst, payload });
  const out = new Uint8Array(RELAY_MARKER_LEN + frame.length);
  out[3] = RELAY_MARKER;
  out.set(frame, RELAY_MARKER_LEN);
  return out;
}

/** Parse a UDP relay datagram (marker + frame). */
export function unwrapRelay(d: Uint8Array): TunnelFrame | undefined {
  if (!isRelay(d)) return undefined;
  const f = parseTunnelFrame(d.subarray(RELAY_MARKER_LEN));
  return f.ok && f.value.src && f.value.type === TunnelFrameType.DATAGRAM ? f.value : undefined;
}

/** Fast FA → host header: writes marker + frame header into `out` (length ≥ RELAY_HEADER). */
export function writeRelayHeader(out: Uint8Array, srcAddr: Uint8Array, srcPort: number, dstAddr: Uint8Array, dstPort: number): void {
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  out[3] = RELAY_MARKER;
  out[4] = 1; // tunnel frame version
  out[5] = TunnelFrameType.DATAGRAM;
  out[6] = 0;
  out[7] = 0;
  out[8] = srcPort >> 8;
  out[9] = srcPort & 0xff;
  out[10] = dstPort >> 8;
  out[11] = dstPort & 0xff;
  out.set(srcAddr, 12);
  out.set(dstAddr, 28);
}

/** 16-byte address cache for text addresses seen on the forwarding path (bounded). */
export class AddrCache {
  private readonly map = new Map<string, Uint8Array>();
  get(ip: string): Uint8Array | undefined {
    let b = this.map.get(ip);
    if (b === undefined) {
      b = ipToBytes(ip);
      if (!b) return undefined;
      if (this.map.size >= 65536) this.map.clear();
      this.map.set(ip, b);
    }
    return b;
  }
}
