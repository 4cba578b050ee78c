// Tunnel frame (ours, PROFILE §3): carries one UDP/10500 datagram (zero marker + HIP, or ESP)
// over a WebSocket message or WebTransport datagram, naming the outer locators. docs/PROTOCOL.md §4.
//  0: Version (1) = 1        1: Type (1)     2: Flags (1)     3: Reserved (1) = 0
//  full form (flag L clear):  4: Src Port(2)  6: Dst Port(2)  8: Src Addr(16)  24: Dst Addr(16)  40: payload
//  compact form (flag L set): 4: payload (locators implied by the tunnel)
import type { Locator } from "../core/types.ts";
import { err, ok, type Result, WireErrorCode as E } from "./error.ts";
import { bytesToIpAt } from "../core/addr.ts";
import { addrBytes } from "./params/codec.ts";

/** Tunnel frame version (PROFILE §3). */
export const TUNNEL_VERSION = 1;
/** Header size of the full form (with both locators), bytes. */
export const TUNNEL_FULL_HEADER = 40;
/** Header size of the compact form, bytes. */
export const TUNNEL_COMPACT_HEADER = 4;
/** Flag L: no locators in the frame ("local"/compact form). */
export const TUNNEL_FLAG_COMPACT = 0x01;

/** DATAGRAM carries a UDP/10500 datagram; PING/PONG keep a tunnel alive (payload echoed). */
export const TunnelFrameType = {
  /** A UDP/10500 datagram (HIP or ESP). */
  DATAGRAM: 1,
  /** Keep-alive request (payload echoed). */
  PING: 2,
  /** Keep-alive answer. */
  PONG: 3,
} as const;
export type TunnelFrameType = (typeof TunnelFrameType)[keyof typeof TunnelFrameType];

/** One tunnel frame (docs/PROTOCOL.md §4). */
export interface TunnelFrame {
  /** Frame type. */
  type: TunnelFrameType;
  /** Outer source/destination locators; both absent = compact form. */
  src?: Locator;
  /** Outer destination locator. */
  dst?: Locator;
  /** The datagram (or PING/PONG payload). */
  payload: Uint8Array;
}

/** Parse a tunnel frame (one WebSocket message or WebTransport datagram); the payload is a view. */
export function parseTunnelFrame(bytes: Uint8Array): Result<TunnelFrame> {
  if (bytes.length < TUNNEL_COMPACT_HEADER) return err(E.FRAME_TRUNCATED, bytes.length, "tunnel frame shorter than 4 bytes");
  if (bytes[0] !== TUNNEL_VERSION) return err(E.FRAME_VERSION, 0, `tunnel frame version ${bytes[0]}`, "version");
  const type = bytes[1];
  if (type < 1 || type > 3) return err(E.FRAME_TYPE, 1, `tunnel frame type ${type}`, "type");
  const flags = bytes[2];
  if ((flags & ~TUNNEL_FLAG_COMPACT) !== 0 || bytes[3] !== 0) return err(E.FRAME_FLAGS, (flags & ~TUNNEL_FLAG_COMPACT) !== 0 ? 2 : 3, "unknown tunnel flags or reserved byte set", "flags");
  if (flags & TUNNEL_FLAG_COMPACT) return ok({ type: type as TunnelFrameType, payload: bytes.subarray(TUNNEL_COMPACT_HEADER) });
  if (bytes.length < TUNNEL_FULL_HEADER) return err(E.FRAME_TRUNCATED, bytes.length, "tunnel frame shorter than its 40-byte header");
  return ok({
    type: type as TunnelFrameType,
    src: { ip: bytesToIpAt(bytes, 8), port: (bytes[4] << 8) | bytes[5] },
    dst: { ip: bytesToIpAt(bytes, 24), port: (bytes[6] << 8) | bytes[7] },
    payload: bytes.subarray(TUNNEL_FULL_HEADER),
  });
}

/** Emit a tunnel frame: full form when `src` and `dst` are set, else compact. */
export function emitTunnelFrame(f: TunnelFrame): Uint8Array {
  if ((f.src === undefined) !== (f.dst === undefined)) throw new RangeError("tunnel frame needs both locators or neither");
  const compact = f.src === undefined;
  const h = compact ? TUNNEL_COMPACT_HEADER : TUNNEL_FULL_HEADER;
  const out = new Uint8Array(h + f.payload.length);
  out[0] = TUNNEL_VERSION;
  out[1] = f.type;
  out[2] = compact ? TUNNEL_FLAG_COMPACT : 0;
  if (f.src && f.dst) {
    out[4] = f.src.port >> 8;
    out[5] = f.src.port & 0xff;
    out[6] = f.dst.port >> 8;
    out[7] = f.dst.port & 0xff;
    out.set(addrBytes(f.src.ip), 8);
    out.set(addrBytes(f.dst.ip), 24);
  }
  out.set(f.payload, h);
  return out;
}
