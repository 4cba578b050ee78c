// Packet generators of the stateful fuzzer that need no keys: byte-level and HIP-aware mutations
// of captured datagrams, and forged datagrams (fresh HIP packets with victims' HITs, ESP with live
// SPIs, relay frames, keepalives). All draws come from the fuzzer's seeded Rng.
import type { SeededRng } from "../../../src/core/rng.ts";
import type { Locator } from "../../../src/core/types.ts";
import { wrapRelay } from "../../../src/fa/core/relay.ts";
import { frameHip } from "../../../src/wire/framing.ts";
import { emitPacket } from "../../../src/wire/packet.ts";
import type { Param } from "../../../src/wire/params/index.ts";

export function pick<T>(r: SeededRng, xs: readonly T[]): T {
  return xs[r.nextU32() % xs.length];
}

export function int(r: SeededRng, n: number): number {
  return n <= 0 ? 0 : r.nextU32() % n;
}

/** HIP packet types worth forging: base, UPDATE/NOTIFY/CLOSE(_ACK), REA/AC/ACR, FAQ/FAA/FAD, unknown. */
const TYPES = [1, 2, 3, 4, 16, 17, 18, 19, 6, 9, 10, 11, 12, 13, 5, 63, 127];
/** Parameter types: known ones (with random bodies), unknown critical (odd) and non-critical. */
const PTYPES = [65, 129, 257, 321, 385, 449, 513, 579, 705, 768, 832, 897, 961, 2049, 2051, 4095, 61505, 61569, 63425, 63661, 64500, 193, 255, 7, 9, 1001];

function withRandomTlvs(r: SeededRng, n: number): Param[] {
  const ps: Param[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    const type = pick(r, PTYPES);
    if (type <= t) continue; // keep ascending order most of the time (§5.2.1)
    t = type;
    ps.push({ kind: "UNKNOWN", type, value: r.fill(new Uint8Array(int(r, 40))) });
  }
  return ps;
}

/** A fresh HIP packet (framed) from `sender` to `receiver` of a random type with random TLVs. */
export function forgeHip(r: SeededRng, sender: Uint8Array, receiver: Uint8Array): Uint8Array {
  const params = withRandomTlvs(r, 1 + int(r, 5));
  const packetType = pick(r, TYPES);
  let bytes: Uint8Array;
  try {
    bytes = emitPacket({ packetType, controls: int(r, 4) === 0 ? r.nextU32() & 0xffff : 0, senderHit: sender, receiverHit: receiver, params });
  } catch {
    bytes = emitPacket({ packetType, controls: 0, senderHit: sender, receiverHit: receiver, params: [] });
  }
  return frameHip(bytes);
}

/** A HIP packet with one unknown critical parameter (the NOTIFY trigger of issue 9). */
export function forgeCritical(r: SeededRng, type: number, sender: Uint8Array, receiver: Uint8Array): Uint8Array {
  const crit = 2 * (32 + int(r, 30)) + 1; // odd = critical, unassigned
  return frameHip(emitPacket({ packetType: type, controls: 0, senderHit: sender, receiverHit: receiver, params: [{ kind: "UNKNOWN", type: crit, value: new Uint8Array(4) }] }));
}

/** ESP header with a live SPI, a sequence number near or far, random body. */
export function forgeEsp(r: SeededRng, spi: number): Uint8Array {
  const d = r.fill(new Uint8Array(8 + pick(r, [0, 1, 8, 16, 24, 40, 64, 100, 200])));
  new DataView(d.buffer).setUint32(0, spi >>> 0);
  new DataView(d.buffer).setUint32(4, pick(r, [0, 1, 2, 1000, 0xffffffff, r.nextU32()]));
  return d;
}

export function forgeRelay(r: SeededRng, src: Locator, dst: Locator, inner: Uint8Array): Uint8Array {
  const d = wrapRelay(src, dst, inner);
  if (int(r, 4) === 0) d[4 + int(r, 40)] ^= 1 << int(r, 8);
  return d;
}

/** Byte-level mutation: flips, sets, truncation, extension, splice with another datagram. */
export function mutateBytes(r: SeededRng, base: Uint8Array, other: Uint8Array): Uint8Array {
  let b = base.slice();
  const n = 1 + int(r, 4);
  for (let i = 0; i < n && b.length > 0; i++) {
    const at = int(r, b.length);
    switch (int(r, 6)) {
      case 0:
        b[at] ^= 1 << int(r, 8);
        break;
      case 1:
        b[at] = pick(r, [0, 1, 0x7f, 0x80, 0xff, r.nextU32() & 0xff]);
        break;
      case 2:
        b = b.slice(0, at);
        break;
      case 3: {
        const x = new Uint8Array(b.length + 1 + int(r, 64));
        x.set(b);
        r.fill(x.subarray(b.length));
        b = x;
        break;
      }
      case 4: {
        const from = int(r, other.length);
        const x = new Uint8Array(at + other.length - from);
        x.set(b.subarray(0, at));
        x.set(other.subarray(from), at);
        b = x;
        break;
      }
      default: // keep the 4-byte marker: mutate the HIP header fields (type, length, controls, HITs)
        if (b.length > 44) b[4 + pick(r, [0, 1, 2, 3, 6, 7, 8, 20, 24, 39])] ^= 1 + int(r, 255);
    }
  }
  return b;
}

/** HIP-aware: a framed HIP datagram with its sender / receiver HIT replaced. */
export function swapHits(d: Uint8Array, sender: Uint8Array | undefined, receiver: Uint8Array | undefined): Uint8Array {
  const b = d.slice();
  if (b.length < 44) return b;
  if (sender) b.set(sender, 4 + 8);
  if (receiver) b.set(receiver, 4 + 24);
  b[4 + 4] = 0; // checksum 0 is accepted (RFC 5770 / PROFILE §3)
  b[4 + 5] = 0;
  return b;
}

/** HIP-aware: a framed HIP datagram padded with an unsigned ECHO_REQUEST_UNSIGNED (63661) of `n` bytes. */
export function padEchoUnsigned(d: Uint8Array, n: number): Uint8Array {
  if (d.length < 44) return d.slice();
  const body = 4 + n;
  const tlv = (body + 7) & ~7;
  const out = new Uint8Array(d.length + tlv);
  out.set(d);
  const o = d.length;
  out[o] = 63661 >> 8;
  out[o + 1] = 63661 & 0xff;
  out[o + 2] = n >> 8;
  out[o + 3] = n & 0xff;
  const words = (out.length - 4) / 8 - 1;
  out[4 + 1] = words & 0xff;
  out[4 + 4] = 0;
  out[4 + 5] = 0;
  return out;
}
