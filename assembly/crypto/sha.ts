// SHA-1 and SHA-256 (FIPS 180-4 §6.1, §6.2). A chaining state is 8 u32 words in memory
// (SHA-1 uses the first 5). shaDigest finishes a message from a state that has already
// absorbed `prefix` bytes (HMAC's precomputed inner/outer states start at prefix = 64).

export const ALG_SHA1: i32 = 1;
export const ALG_SHA256: i32 = 2;

const K256: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
], 64);

const W: usize = memory.data(320, 64);
const TAIL: usize = memory.data(128, 64);

/** Digest length in bytes for an algorithm id. */
export function shaDigestLen(alg: i32): i32 {
  return alg === ALG_SHA1 ? 20 : 32;
}

/** Writes the FIPS 180-4 initial hash value for `alg` to state `h`. */
export function shaInitState(alg: i32, h: usize): void {
  if (alg === ALG_SHA1) {
    store<u32>(h, 0x67452301);
    store<u32>(h, 0xefcdab89, 4);
    store<u32>(h, 0x98badcfe, 8);
    store<u32>(h, 0x10325476, 12);
    store<u32>(h, 0xc3d2e1f0, 16);
  } else {
    store<u32>(h, 0x6a09e667);
    store<u32>(h, 0xbb67ae85, 4);
    store<u32>(h, 0x3c6ef372, 8);
    store<u32>(h, 0xa54ff53a, 12);
    store<u32>(h, 0x510e527f, 16);
    store<u32>(h, 0x9b05688c, 20);
    store<u32>(h, 0x1f83d9ab, 24);
    store<u32>(h, 0x5be0cd19, 28);
  }
}

/** SHA-256 compression of `n` 64-byte blocks at `p` into state `h` (§6.2.2). */
export function sha256Blocks(h: usize, p: usize, n: usize): void {
  let a = load<u32>(h), b = load<u32>(h, 4), c = load<u32>(h, 8), d = load<u32>(h, 12);
  let e = load<u32>(h, 16), f = load<u32>(h, 20), g = load<u32>(h, 24), hh = load<u32>(h, 28);
  for (; n > 0; n--, p += 64) {
    for (let i: usize = 0; i < 64; i += 4) store<u32>(W + i, bswap<u32>(load<u32>(p + i)));
    for (let i: usize = 64; i < 256; i += 4) {
      const w15 = load<u32>(W + i - 60);
      const w2 = load<u32>(W + i - 8);
      const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >> 3);
      const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >> 10);
      store<u32>(W + i, load<u32>(W + i - 64) + s0 + load<u32>(W + i - 28) + s1);
    }
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = hh;
    for (let i: usize = 0; i < 256; i += 4) {
      const t1 = hh + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) +
        load<u32>(K256 + i) + load<u32>(W + i);
      const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) | (c & (a | b)));
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    a += a0; b += b0; c += c0; d += d0; e += e0; f += f0; g += g0; hh += h0;
  }
  store<u32>(h, a); store<u32>(h, b, 4); store<u32>(h, c, 8); store<u32>(h, d, 12);
  store<u32>(h, e, 16); store<u32>(h, f, 20); store<u32>(h, g, 24); store<u32>(h, hh, 28);
}

/** SHA-1 compression of `n` 64-byte blocks at `p` into state `h` (§6.1.2). */
export function sha1Blocks(h: usize, p: usize, n: usize): void {
  let a = load<u32>(h), b = load<u32>(h, 4), c = load<u32>(h, 8), d = load<u32>(h, 12), e = load<u32>(h, 16);
  for (; n > 0; n--, p += 64) {
    for (let i: usize = 0; i < 64; i += 4) store<u32>(W + i, bswap<u32>(load<u32>(p + i)));
    for (let i: usize = 64; i < 320; i += 4) {
      store<u32>(W + i, rotl<u32>(load<u32>(W + i - 12) ^ load<u32>(W + i - 32) ^ load<u32>(W + i - 56) ^ load<u32>(W + i - 64), 1));
    }
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e;
    let i: usize = 0;
    for (; i < 80; i += 4) {
      const t = rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + load<u32>(W + i);
      e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t;
    }
    for (; i < 160; i += 4) {
      const t = rotl<u32>(a, 5) + (b ^ c ^ d) + e + 0x6ed9eba1 + load<u32>(W + i);
      e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t;
    }
    for (; i < 240; i += 4) {
      const t = rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + load<u32>(W + i);
      e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t;
    }
    for (; i < 320; i += 4) {
      const t = rotl<u32>(a, 5) + (b ^ c ^ d) + e + 0xca62c1d6 + load<u32>(W + i);
      e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t;
    }
    a += a0; b += b0; c += c0; d += d0; e += e0;
  }
  store<u32>(h, a); store<u32>(h, b, 4); store<u32>(h, c, 8); store<u32>(h, d, 12); store<u32>(h, e, 16);
}

/** Compresses `n` whole blocks with the algorithm's function. */
export function shaBlocks(alg: i32, h: usize, p: usize, n: usize): void {
  if (alg === ALG_SHA1) sha1Blocks(h, p, n);
  else sha256Blocks(h, p, n);
}

/**
 * Absorbs the last `len` bytes at `p` into state `h` (which has absorbed `prefix` bytes,
 * a multiple of 64), pads (§5.1.1) and writes the big-endian digest to `out`.
 */
export function shaDigest(alg: i32, h: usize, p: usize, len: usize, prefix: u64, out: usize): void {
  const full = len >> 6;
  if (full) shaBlocks(alg, h, p, full);
  const rest = len & 63;
  memory.copy(TAIL, p + (full << 6), rest);
  store<u8>(TAIL + rest, 0x80);
  const blocks: usize = rest < 56 ? 1 : 2;
  const end = blocks << 6;
  memory.fill(TAIL + rest + 1, 0, end - rest - 9);
  store<u64>(TAIL + end - 8, bswap<u64>((prefix + <u64>len) << 3));
  shaBlocks(alg, h, TAIL, blocks);
  const words: usize = alg === ALG_SHA1 ? 5 : 8;
  for (let i: usize = 0; i < words; i++) store<u32>(out + (i << 2), bswap<u32>(load<u32>(h + (i << 2))));
}
