// Holder probes (ours, docs/PROTOCOL.md §9.1): the FA asks a silent lease holder whether it is
// still there, over the relay channel it already uses (marker 0x000000FA, RFC 4303 §2.1 reserved
// SPI), as a compact tunnel PING frame (src/wire/tunnel.ts) with an 8-byte nonce; the holder
// answers with a PONG frame carrying the same nonce, to the FA, from the locator it leases from.
// Both are 16 bytes: the answer is never larger than the question.
import { TUNNEL_FLAG_COMPACT, TunnelFrameType } from "../../wire/tunnel.ts";
import { RELAY_MARKER } from "./relay.ts";

export const PROBE_LEN = 16;

/** Marker + compact PING (FA → holder) or PONG (holder → FA) + 8-byte nonce. */
export function emitProbe(type: typeof TunnelFrameType.PING | typeof TunnelFrameType.PONG, nonce: Uint8Array): Uint8Array {
  const out = new Uint8Array(PROBE_LEN);
  out[3] = RELAY_MARKER;
  out[4] = 1;
  out[5] = type;
  out[6] = TUNNEL_FLAG_COMPACT;
  out.set(nonce.subarray(0, 8), 8);
  return out;
}

/** The probe frame type (PING or PONG) of `d`, or 0 when `d` is not a probe. */
export function probeType(d: Uint8Array): number {
  if (d.length !== PROBE_LEN || d[0] !== 0 || d[1] !== 0 || d[2] !== 0 || d[3] !== RELAY_MARKER) return 0;
  if (d[4] !== 1 || d[6] !== TUNNEL_FLAG_COMPACT || d[7] !== 0) return 0;
  return d[5] === TunnelFrameType.PING || d[5] === TunnelFrameType.PONG ? d[5] : 0;
}

/** The nonce as a number key (first 6 bytes; the FA draws them at random). */
export function probeNonce(d: Uint8Array): number {
  let n = 0;
  for (let i = 8; i < 14; i++) n = n * 256 + d[i];
  return n;
}
