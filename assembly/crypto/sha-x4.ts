// Multi-buffer SHA-256 and SHA-1 compression (FIPS 180-4 §6.2.2, §6.1.2): four independent
// messages, one per i32x4 lane, so every round is the scalar round on four states at once and
// the message schedule needs no lane crossing. States are 4 × 32 bytes, lane k at st + 32k, in
// the scalar layout (sha.ts), so a lane can be finished by the scalar code. Used by hmac-x4.ts.

// SHA-256 round constants (§4.2.2) and SHA-1 constants (§4.2.1).
const K256: usize = memory.data<u32>([0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2], 16);
// W_t + K_t per round, four lanes each (80 rounds for SHA-1).
const WK: usize = memory.data(80 * 16, 16);
// K_t splatted to four lanes (filled on first use).
const K4: usize = memory.data(64 * 16, 16);
let k4Ready = false;

// biome-ignore lint/complexity/noStaticOnlyClass: namespace for @inline functions (AssemblyScript)
class X4 {
  @inline static rotr(x: v128, n: i32): v128 {
    return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n));
  }

  /** Word w of four lanes from the state array (lane k at st + 32k). */
  @inline static gather(st: usize, w: usize): v128 {
    let v = i32x4.splat(load<i32>(st + w));
    v = i32x4.replace_lane(v, 1, load<i32>(st + 32 + w));
    v = i32x4.replace_lane(v, 2, load<i32>(st + 64 + w));
    return i32x4.replace_lane(v, 3, load<i32>(st + 96 + w));
  }

  @inline static scatter(st: usize, w: usize, v: v128): void {
    store<i32>(st + w, i32x4.extract_lane(v, 0));
    store<i32>(st + 32 + w, i32x4.extract_lane(v, 1));
    store<i32>(st + 64 + w, i32x4.extract_lane(v, 2));
    store<i32>(st + 96 + w, i32x4.extract_lane(v, 3));
  }

  /**
   * Big-endian words 4j .. 4j+3 of the four blocks at r0..r3 (16 bytes each), transposed: W_(4j+i)
   * of all lanes to WK + 16 (4j + i). The byte swap is folded into the first shuffle stage.
   */
  /** T1 of §6.2.2 step 3: h + Σ1(e) + Ch(e, f, g) + K_t + W_t, W_t at w + o. */
  @inline static t1(e: v128, f: v128, g: v128, h: v128, w: usize, o: usize): v128 {
    const wk = i32x4.add(v128.load(w + o), v128.load(w + o + (K4 - WK)));
    const s1 = v128.xor(v128.xor(X4.rotr(e, 6), X4.rotr(e, 11)), X4.rotr(e, 25));
    return i32x4.add(i32x4.add(h, s1), i32x4.add(v128.bitselect(f, g, e), wk));
  }

  /** T2: Σ0(a) + Maj(a, b, c). */
  @inline static t2(a: v128, b: v128, c: v128): v128 {
    const s0 = v128.xor(v128.xor(X4.rotr(a, 2), X4.rotr(a, 13)), X4.rotr(a, 22));
    return i32x4.add(s0, v128.bitselect(c, b, v128.xor(a, b)));
  }

  @inline static loadWords(dst: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
    const t0 = i8x16.shuffle(r0, r1, 3, 2, 1, 0, 19, 18, 17, 16, 7, 6, 5, 4, 23, 22, 21, 20);
    const t1 = i8x16.shuffle(r0, r1, 11, 10, 9, 8, 27, 26, 25, 24, 15, 14, 13, 12, 31, 30, 29, 28);
    const t2 = i8x16.shuffle(r2, r3, 3, 2, 1, 0, 19, 18, 17, 16, 7, 6, 5, 4, 23, 22, 21, 20);
    const t3 = i8x16.shuffle(r2, r3, 11, 10, 9, 8, 27, 26, 25, 24, 15, 14, 13, 12, 31, 30, 29, 28);
    v128.store(dst, i8x16.shuffle(t0, t2, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    v128.store(dst, i8x16.shuffle(t0, t2, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31), 16);
    v128.store(dst, i8x16.shuffle(t1, t3, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23), 32);
    v128.store(dst, i8x16.shuffle(t1, t3, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31), 48);
  }

  /** W_0 .. W_15 of the blocks at p0..p3 to WK (not yet + K). */
  @inline static loadBlock(p0: usize, p1: usize, p2: usize, p3: usize): void {
    for (let j: usize = 0; j < 64; j += 16) {
      X4.loadWords(WK + (j << 2), v128.load(p0 + j), v128.load(p1 + j), v128.load(p2 + j), v128.load(p3 + j));
    }
  }
}

/** SHA-256 compression of `n` blocks per lane: lane k reads consecutive blocks from pk. */
export function sha256x4(st: usize, p0: usize, p1: usize, p2: usize, p3: usize, n: usize): void {
  if (!k4Ready) {
    for (let t: usize = 0; t < 64; t++) v128.store(K4 + (t << 4), i32x4.splat(load<i32>(K256 + (t << 2))));
    k4Ready = true;
  }
  let h0 = X4.gather(st, 0), h1 = X4.gather(st, 4), h2 = X4.gather(st, 8), h3 = X4.gather(st, 12);
  let h4 = X4.gather(st, 16), h5 = X4.gather(st, 20), h6 = X4.gather(st, 24), h7 = X4.gather(st, 28);
  for (; n > 0; n--, p0 += 64, p1 += 64, p2 += 64, p3 += 64) {
    X4.loadBlock(p0, p1, p2, p3);
    // §6.2.2 step 1: W_t = σ1(W_(t-2)) + W_(t-7) + σ0(W_(t-15)) + W_(t-16), then W_t + K_t in place.
    for (let t: usize = 16; t < 64; t++) {
      const w = WK + (t << 4);
      const x15 = v128.load(w - 240);
      const x2 = v128.load(w - 32);
      const s0 = v128.xor(v128.xor(X4.rotr(x15, 7), X4.rotr(x15, 18)), i32x4.shr_u(x15, 3));
      const s1 = v128.xor(v128.xor(X4.rotr(x2, 17), X4.rotr(x2, 19)), i32x4.shr_u(x2, 10));
      v128.store(w, i32x4.add(i32x4.add(s1, v128.load(w - 112)), i32x4.add(s0, v128.load(w - 256))));
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    let t1: v128;
    // Eight rounds per pass, the working variables changing roles instead of being shifted.
    for (let w = WK; w < WK + 1024; w += 128) {
      t1 = X4.t1(e, f, g, h, w, 0); d = i32x4.add(d, t1); h = i32x4.add(t1, X4.t2(a, b, c));
      t1 = X4.t1(d, e, f, g, w, 16); c = i32x4.add(c, t1); g = i32x4.add(t1, X4.t2(h, a, b));
      t1 = X4.t1(c, d, e, f, w, 32); b = i32x4.add(b, t1); f = i32x4.add(t1, X4.t2(g, h, a));
      t1 = X4.t1(b, c, d, e, w, 48); a = i32x4.add(a, t1); e = i32x4.add(t1, X4.t2(f, g, h));
      t1 = X4.t1(a, b, c, d, w, 64); h = i32x4.add(h, t1); d = i32x4.add(t1, X4.t2(e, f, g));
      t1 = X4.t1(h, a, b, c, w, 80); g = i32x4.add(g, t1); c = i32x4.add(t1, X4.t2(d, e, f));
      t1 = X4.t1(g, h, a, b, w, 96); f = i32x4.add(f, t1); b = i32x4.add(t1, X4.t2(c, d, e));
      t1 = X4.t1(f, g, h, a, w, 112); e = i32x4.add(e, t1); a = i32x4.add(t1, X4.t2(b, c, d));
    }
    h0 = i32x4.add(h0, a); h1 = i32x4.add(h1, b); h2 = i32x4.add(h2, c); h3 = i32x4.add(h3, d);
    h4 = i32x4.add(h4, e); h5 = i32x4.add(h5, f); h6 = i32x4.add(h6, g); h7 = i32x4.add(h7, h);
  }
  X4.scatter(st, 0, h0); X4.scatter(st, 4, h1); X4.scatter(st, 8, h2); X4.scatter(st, 12, h3);
  X4.scatter(st, 16, h4); X4.scatter(st, 20, h5); X4.scatter(st, 24, h6); X4.scatter(st, 28, h7);
}

/** SHA-1 compression of `n` blocks per lane: lane k reads consecutive blocks from pk. */
export function sha1x4(st: usize, p0: usize, p1: usize, p2: usize, p3: usize, n: usize): void {
  let h0 = X4.gather(st, 0), h1 = X4.gather(st, 4), h2 = X4.gather(st, 8), h3 = X4.gather(st, 12);
  let h4 = X4.gather(st, 16);
  for (; n > 0; n--, p0 += 64, p1 += 64, p2 += 64, p3 += 64) {
    X4.loadBlock(p0, p1, p2, p3);
    // §6.1.2 step 1: W_t = ROTL1(W_(t-3) ^ W_(t-8) ^ W_(t-14) ^ W_(t-16)).
    for (let t: usize = 16; t < 80; t++) {
      const w = WK + (t << 4);
      const x = v128.xor(v128.xor(v128.load(w - 48), v128.load(w - 128)), v128.xor(v128.load(w - 224), v128.load(w - 256)));
      v128.store(w, v128.or(i32x4.shl(x, 1), i32x4.shr_u(x, 31)));
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    // §4.1.1 f_t: Ch for t < 20, Parity, Maj for 40 ≤ t < 60, Parity.
    let k = i32x4.splat(0x5a827999);
    for (let t: usize = 0; t < 20; t++) {
      const x = i32x4.add(i32x4.add(X4.rotr(a, 27), v128.bitselect(c, d, b)), i32x4.add(e, i32x4.add(k, v128.load(WK + (t << 4)))));
      e = d; d = c; c = X4.rotr(b, 2); b = a; a = x;
    }
    k = i32x4.splat(0x6ed9eba1);
    for (let t: usize = 20; t < 40; t++) {
      const x = i32x4.add(i32x4.add(X4.rotr(a, 27), v128.xor(v128.xor(b, c), d)), i32x4.add(e, i32x4.add(k, v128.load(WK + (t << 4)))));
      e = d; d = c; c = X4.rotr(b, 2); b = a; a = x;
    }
    k = i32x4.splat(0x8f1bbcdc);
    for (let t: usize = 40; t < 60; t++) {
      const m = v128.bitselect(d, c, v128.xor(b, c)); // Maj(b, c, d)
      const x = i32x4.add(i32x4.add(X4.rotr(a, 27), m), i32x4.add(e, i32x4.add(k, v128.load(WK + (t << 4)))));
      e = d; d = c; c = X4.rotr(b, 2); b = a; a = x;
    }
    k = i32x4.splat(0xca62c1d6);
    for (let t: usize = 60; t < 80; t++) {
      const x = i32x4.add(i32x4.add(X4.rotr(a, 27), v128.xor(v128.xor(b, c), d)), i32x4.add(e, i32x4.add(k, v128.load(WK + (t << 4)))));
      e = d; d = c; c = X4.rotr(b, 2); b = a; a = x;
    }
    h0 = i32x4.add(h0, a); h1 = i32x4.add(h1, b); h2 = i32x4.add(h2, c); h3 = i32x4.add(h3, d); h4 = i32x4.add(h4, e);
  }
  X4.scatter(st, 0, h0); X4.scatter(st, 4, h1); X4.scatter(st, 8, h2); X4.scatter(st, 12, h3); X4.scatter(st, 16, h4);
}
