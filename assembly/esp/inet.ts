// Internet checksum (RFC 1071) for the upper-layer header inside BEET ESP (RFC 7402 §3.1: UDP
// over the HIT pseudo-header, RFC 8200 §8.1), computed where the payload already is: in WASM
// memory next to the crypto. The one's-complement sum does not depend on byte order (RFC 1071
// §2(B)), so little-endian 16-bit lanes are summed with SIMD and the result swapped once.

/** Folded 16-bit one's-complement sum of `len` bytes at `p` as big-endian words (odd tail padded with 0). */
export function inetSum(p: usize, len: usize): u32 {
  let acc = i64x2.splat(0);
  const end16 = p + (len & ~31);
  // Two 16-byte loads per step; each i32 lane grows by < 2^18 per step, so flush to the i64
  // accumulator every 4096 steps (64 KiB payloads take at most one flush).
  let a = i32x4.splat(0);
  let steps = 0;
  for (; p < end16; p += 32) {
    a = i32x4.add(a, i32x4.extadd_pairwise_i16x8_u(v128.load(p)));
    a = i32x4.add(a, i32x4.extadd_pairwise_i16x8_u(v128.load(p, 16)));
    if (++steps === 4096) {
      acc = i64x2.add(acc, i64x2.extend_low_i32x4_u(a));
      acc = i64x2.add(acc, i64x2.extend_high_i32x4_u(a));
      a = i32x4.splat(0);
      steps = 0;
    }
  }
  acc = i64x2.add(acc, i64x2.extend_low_i32x4_u(a));
  acc = i64x2.add(acc, i64x2.extend_high_i32x4_u(a));
  let s: u64 = <u64>i64x2.extract_lane(acc, 0) + <u64>i64x2.extract_lane(acc, 1);
  let rest = len & 31;
  for (; rest >= 2; rest -= 2, p += 2) s += <u64>load<u16>(p);
  if (rest) s += <u64>load<u8>(p);
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  // Little-endian lanes: swap the folded sum to network order.
  return ((<u32>s & 0xff) << 8) | (<u32>s >> 8);
}

/** Folds a (possibly wide) one's-complement sum to 16 bits. */
export function inetFold(s: u64): u32 {
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  return <u32>s;
}

/**
 * Writes the UDP checksum (RFC 768) of the `len`-byte BEET UDP segment at `p` (header + data,
 * RFC 7402 §3.1) from `pseudo`, the pseudo-header sum (HITs, length, next header 17; RFC 8200
 * §8.1). A computed 0 is sent as all ones. False when `len` is shorter than a UDP header.
 */
export function udpChecksumFill(p: usize, len: usize, pseudo: u64): bool {
  if (len < 8) return false;
  store<u16>(p, 0, 6);
  const c = ~inetFold(pseudo + <u64>inetSum(p, len)) & 0xffff;
  store<u16>(p, bswap<u16>(<u16>(c === 0 ? 0xffff : c)), 6);
  return true;
}
