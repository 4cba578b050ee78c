// SHA-256 compression (FIPS 180-4 §6.2.2), fully unrolled. The message schedule (§6.2.2 step 1)
// runs four words at a time in i32x4 lanes, interleaved with the scalar rounds 12 rounds ahead of
// use, and W_t + K_t goes through a 256-byte buffer: the vector units compute the schedule while
// the integer units run the round chain. The eight working variables change roles each round
// instead of being shifted. Maj(a, b, c) is b ^ ((a ^ b) & (b ^ c)), where b ^ c is the previous
// round's a ^ b.

// §4.1.2 functions.
export function ch(e: u32, f: u32, g: u32): u32 {
  return g ^ (e & (f ^ g));
}
export function S0(x: u32): u32 {
  return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22);
}
export function S1(x: u32): u32 {
  return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25);
}

// §4.2.2 round constants, and the W_t + K_t of the block being compressed.
export const KT: usize = memory.data<u32>([0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2], 16);
export const WK: usize = memory.data(256, 16);

// AssemblyScript inlines @inline static methods; plain functions with decorators are not TypeScript.
// biome-ignore lint/complexity/noStaticOnlyClass: namespace for @inline functions (AssemblyScript)
export class Sched {
  /** Big-endian words of 16 message bytes. */
  @inline static load(p: usize, off: usize): v128 {
    const x = v128.load(p + off);
    return i8x16.shuffle(x, x, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
  }

  /** σ0 (§4.1.2) on four words: ROTR7 ^ ROTR18 ^ SHR3. */
  @inline static s0(x: v128): v128 {
    return v128.xor(
      v128.xor(v128.xor(i32x4.shr_u(x, 7), i32x4.shl(x, 25)), v128.xor(i32x4.shr_u(x, 18), i32x4.shl(x, 14))),
      i32x4.shr_u(x, 3),
    );
  }

  /** σ1 (§4.1.2) on four words: ROTR17 ^ ROTR19 ^ SHR10. */
  @inline static s1(x: v128): v128 {
    return v128.xor(
      v128.xor(v128.xor(i32x4.shr_u(x, 17), i32x4.shl(x, 15)), v128.xor(i32x4.shr_u(x, 19), i32x4.shl(x, 13))),
      i32x4.shr_u(x, 10),
    );
  }

  /**
   * W_t .. W_(t+3) from x0..x3 = W_(t-16) .. W_(t-1): W_t = σ1(W_(t-2)) + W_(t-7) + σ0(W_(t-15)) + W_(t-16).
   * Lanes 2 and 3 need σ1 of lanes 0 and 1 of the result, hence the second σ1 pass.
   */
  @inline static next(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
    const w15 = i8x16.shuffle(x0, x1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    const w7 = i8x16.shuffle(x2, x3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    const t = i32x4.add(i32x4.add(x0, Sched.s0(w15)), w7);
    const v = i32x4.add(t, Sched.s1(i8x16.shuffle(x3, x3, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15)));
    const y = i32x4.add(t, Sched.s1(i8x16.shuffle(v, v, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7)));
    return i8x16.shuffle(v, y, 0, 1, 2, 3, 4, 5, 6, 7, 24, 25, 26, 27, 28, 29, 30, 31);
  }
}

/** SHA-256 compression of `n` 64-byte blocks at `p` into state `h` (8 words). */
export function sha256Blocks(h: usize, p: usize, n: usize): void {
  for (; n > 0; n--, p += 64) {
    let a = load<u32>(h), b = load<u32>(h, 4), c = load<u32>(h, 8), d = load<u32>(h, 12);
    let e = load<u32>(h, 16), f = load<u32>(h, 20), g = load<u32>(h, 24), hh = load<u32>(h, 28);
    let x0 = Sched.load(p, 0);
    let x1 = Sched.load(p, 16);
    let x2 = Sched.load(p, 32);
    let x3 = Sched.load(p, 48);
    v128.store(WK, i32x4.add(x0, v128.load(KT)));
    v128.store(WK, i32x4.add(x1, v128.load(KT, 16)), 16);
    v128.store(WK, i32x4.add(x2, v128.load(KT, 32)), 32);
    v128.store(WK, i32x4.add(x3, v128.load(KT, 48)), 48);
    let m1 = b ^ c;
    let m0: u32 = 0;
    hh += S1(e) + ch(e, f, g) + load<u32>(WK, 0); d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    g += S1(d) + ch(d, e, f) + load<u32>(WK, 4); c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    f += S1(c) + ch(c, d, e) + load<u32>(WK, 8); b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    e += S1(b) + ch(b, c, d) + load<u32>(WK, 12); a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    x0 = Sched.next(x0, x1, x2, x3);
    v128.store(WK, i32x4.add(x0, v128.load(KT, 64)), 64);
    d += S1(a) + ch(a, b, c) + load<u32>(WK, 16); hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    c += S1(hh) + ch(hh, a, b) + load<u32>(WK, 20); g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    b += S1(g) + ch(g, hh, a) + load<u32>(WK, 24); f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    a += S1(f) + ch(f, g, hh) + load<u32>(WK, 28); e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    x1 = Sched.next(x1, x2, x3, x0);
    v128.store(WK, i32x4.add(x1, v128.load(KT, 80)), 80);
    hh += S1(e) + ch(e, f, g) + load<u32>(WK, 32); d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    g += S1(d) + ch(d, e, f) + load<u32>(WK, 36); c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    f += S1(c) + ch(c, d, e) + load<u32>(WK, 40); b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    e += S1(b) + ch(b, c, d) + load<u32>(WK, 44); a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    x2 = Sched.next(x2, x3, x0, x1);
    v128.store(WK, i32x4.add(x2, v128.load(KT, 96)), 96);
    d += S1(a) + ch(a, b, c) + load<u32>(WK, 48); hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    c += S1(hh) + ch(hh, a, b) + load<u32>(WK, 52); g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    b += S1(g) + ch(g, hh, a) + load<u32>(WK, 56); f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    a += S1(f) + ch(f, g, hh) + load<u32>(WK, 60); e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    x3 = Sched.next(x3, x0, x1, x2);
    v128.store(WK, i32x4.add(x3, v128.load(KT, 112)), 112);
    hh += S1(e) + ch(e, f, g) + load<u32>(WK, 64); d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    g += S1(d) + ch(d, e, f) + load<u32>(WK, 68); c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    f += S1(c) + ch(c, d, e) + load<u32>(WK, 72); b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    e += S1(b) + ch(b, c, d) + load<u32>(WK, 76); a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    x0 = Sched.next(x0, x1, x2, x3);
    v128.store(WK, i32x4.add(x0, v128.load(KT, 128)), 128);
    d += S1(a) + ch(a, b, c) + load<u32>(WK, 80); hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    c += S1(hh) + ch(hh, a, b) + load<u32>(WK, 84); g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    b += S1(g) + ch(g, hh, a) + load<u32>(WK, 88); f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    a += S1(f) + ch(f, g, hh) + load<u32>(WK, 92); e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    x1 = Sched.next(x1, x2, x3, x0);
    v128.store(WK, i32x4.add(x1, v128.load(KT, 144)), 144);
    hh += S1(e) + ch(e, f, g) + load<u32>(WK, 96); d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    g += S1(d) + ch(d, e, f) + load<u32>(WK, 100); c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    f += S1(c) + ch(c, d, e) + load<u32>(WK, 104); b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    e += S1(b) + ch(b, c, d) + load<u32>(WK, 108); a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    x2 = Sched.next(x2, x3, x0, x1);
    v128.store(WK, i32x4.add(x2, v128.load(KT, 160)), 160);
    d += S1(a) + ch(a, b, c) + load<u32>(WK, 112); hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    c += S1(hh) + ch(hh, a, b) + load<u32>(WK, 116); g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    b += S1(g) + ch(g, hh, a) + load<u32>(WK, 120); f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    a += S1(f) + ch(f, g, hh) + load<u32>(WK, 124); e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    x3 = Sched.next(x3, x0, x1, x2);
    v128.store(WK, i32x4.add(x3, v128.load(KT, 176)), 176);
    hh += S1(e) + ch(e, f, g) + load<u32>(WK, 128); d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    g += S1(d) + ch(d, e, f) + load<u32>(WK, 132); c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    f += S1(c) + ch(c, d, e) + load<u32>(WK, 136); b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    e += S1(b) + ch(b, c, d) + load<u32>(WK, 140); a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    x0 = Sched.next(x0, x1, x2, x3);
    v128.store(WK, i32x4.add(x0, v128.load(KT, 192)), 192);
    d += S1(a) + ch(a, b, c) + load<u32>(WK, 144); hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    c += S1(hh) + ch(hh, a, b) + load<u32>(WK, 148); g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    b += S1(g) + ch(g, hh, a) + load<u32>(WK, 152); f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    a += S1(f) + ch(f, g, hh) + load<u32>(WK, 156); e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    x1 = Sched.next(x1, x2, x3, x0);
    v128.store(WK, i32x4.add(x1, v128.load(KT, 208)), 208);
    hh += S1(e) + ch(e, f, g) + load<u32>(WK, 160); d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    g += S1(d) + ch(d, e, f) + load<u32>(WK, 164); c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    f += S1(c) + ch(c, d, e) + load<u32>(WK, 168); b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    e += S1(b) + ch(b, c, d) + load<u32>(WK, 172); a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    x2 = Sched.next(x2, x3, x0, x1);
    v128.store(WK, i32x4.add(x2, v128.load(KT, 224)), 224);
    d += S1(a) + ch(a, b, c) + load<u32>(WK, 176); hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    c += S1(hh) + ch(hh, a, b) + load<u32>(WK, 180); g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    b += S1(g) + ch(g, hh, a) + load<u32>(WK, 184); f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    a += S1(f) + ch(f, g, hh) + load<u32>(WK, 188); e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    x3 = Sched.next(x3, x0, x1, x2);
    v128.store(WK, i32x4.add(x3, v128.load(KT, 240)), 240);
    hh += S1(e) + ch(e, f, g) + load<u32>(WK, 192); d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    g += S1(d) + ch(d, e, f) + load<u32>(WK, 196); c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    f += S1(c) + ch(c, d, e) + load<u32>(WK, 200); b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    e += S1(b) + ch(b, c, d) + load<u32>(WK, 204); a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    d += S1(a) + ch(a, b, c) + load<u32>(WK, 208); hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    c += S1(hh) + ch(hh, a, b) + load<u32>(WK, 212); g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    b += S1(g) + ch(g, hh, a) + load<u32>(WK, 216); f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    a += S1(f) + ch(f, g, hh) + load<u32>(WK, 220); e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    hh += S1(e) + ch(e, f, g) + load<u32>(WK, 224); d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    g += S1(d) + ch(d, e, f) + load<u32>(WK, 228); c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    f += S1(c) + ch(c, d, e) + load<u32>(WK, 232); b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    e += S1(b) + ch(b, c, d) + load<u32>(WK, 236); a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    d += S1(a) + ch(a, b, c) + load<u32>(WK, 240); hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    c += S1(hh) + ch(hh, a, b) + load<u32>(WK, 244); g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    b += S1(g) + ch(g, hh, a) + load<u32>(WK, 248); f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    a += S1(f) + ch(f, g, hh) + load<u32>(WK, 252); e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    store<u32>(h, load<u32>(h) + a);
    store<u32>(h, load<u32>(h, 4) + b, 4);
    store<u32>(h, load<u32>(h, 8) + c, 8);
    store<u32>(h, load<u32>(h, 12) + d, 12);
    store<u32>(h, load<u32>(h, 16) + e, 16);
    store<u32>(h, load<u32>(h, 20) + f, 20);
    store<u32>(h, load<u32>(h, 24) + g, 24);
    store<u32>(h, load<u32>(h, 28) + hh, 28);
  }
}
