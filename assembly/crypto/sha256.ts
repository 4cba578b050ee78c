// SHA-256 compression (FIPS 180-4 §6.2.2), fully unrolled: the message schedule lives in 16
// locals (W_t overwrites W_(t-16)), the eight working variables change roles each round instead
// of being shifted, and the round constants K_t (§4.2.2) are immediates. Maj(a, b, c) is
// computed as b ^ ((a ^ b) & (b ^ c)), where b ^ c is the previous round's a ^ b.

// §4.1.2 functions.
function ch(e: u32, f: u32, g: u32): u32 {
  return g ^ (e & (f ^ g));
}
function S0(x: u32): u32 {
  return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22);
}
function S1(x: u32): u32 {
  return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25);
}
function s0(x: u32): u32 {
  return rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3);
}
function s1(x: u32): u32 {
  return rotr<u32>(x, 17) ^ rotr<u32>(x, 19) ^ (x >>> 10);
}

/** SHA-256 compression of `n` 64-byte blocks at `p` into state `h` (8 words). */
export function sha256Blocks(h: usize, p: usize, n: usize): void {
  for (; n > 0; n--, p += 64) {
    let a = load<u32>(h), b = load<u32>(h, 4), c = load<u32>(h, 8), d = load<u32>(h, 12);
    let e = load<u32>(h, 16), f = load<u32>(h, 20), g = load<u32>(h, 24), hh = load<u32>(h, 28);
    let w0 = bswap<u32>(load<u32>(p, 0));
    let w1 = bswap<u32>(load<u32>(p, 4));
    let w2 = bswap<u32>(load<u32>(p, 8));
    let w3 = bswap<u32>(load<u32>(p, 12));
    let w4 = bswap<u32>(load<u32>(p, 16));
    let w5 = bswap<u32>(load<u32>(p, 20));
    let w6 = bswap<u32>(load<u32>(p, 24));
    let w7 = bswap<u32>(load<u32>(p, 28));
    let w8 = bswap<u32>(load<u32>(p, 32));
    let w9 = bswap<u32>(load<u32>(p, 36));
    let w10 = bswap<u32>(load<u32>(p, 40));
    let w11 = bswap<u32>(load<u32>(p, 44));
    let w12 = bswap<u32>(load<u32>(p, 48));
    let w13 = bswap<u32>(load<u32>(p, 52));
    let w14 = bswap<u32>(load<u32>(p, 56));
    let w15 = bswap<u32>(load<u32>(p, 60));
    let m1 = b ^ c;
    let m0: u32 = 0;
    hh += S1(e) + ch(e, f, g) + 0x428a2f98 + w0; d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    g += S1(d) + ch(d, e, f) + 0x71374491 + w1; c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    f += S1(c) + ch(c, d, e) + 0xb5c0fbcf + w2; b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    e += S1(b) + ch(b, c, d) + 0xe9b5dba5 + w3; a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    d += S1(a) + ch(a, b, c) + 0x3956c25b + w4; hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    c += S1(hh) + ch(hh, a, b) + 0x59f111f1 + w5; g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    b += S1(g) + ch(g, hh, a) + 0x923f82a4 + w6; f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    a += S1(f) + ch(f, g, hh) + 0xab1c5ed5 + w7; e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    hh += S1(e) + ch(e, f, g) + 0xd807aa98 + w8; d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    g += S1(d) + ch(d, e, f) + 0x12835b01 + w9; c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    f += S1(c) + ch(c, d, e) + 0x243185be + w10; b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    e += S1(b) + ch(b, c, d) + 0x550c7dc3 + w11; a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    d += S1(a) + ch(a, b, c) + 0x72be5d74 + w12; hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    c += S1(hh) + ch(hh, a, b) + 0x80deb1fe + w13; g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    b += S1(g) + ch(g, hh, a) + 0x9bdc06a7 + w14; f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    a += S1(f) + ch(f, g, hh) + 0xc19bf174 + w15; e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    w0 += s1(w14) + w9 + s0(w1);
    hh += S1(e) + ch(e, f, g) + 0xe49b69c1 + w0; d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0xefbe4786 + w1; c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x0fc19dc6 + w2; b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x240ca1cc + w3; a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x2de92c6f + w4; hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(hh) + ch(hh, a, b) + 0x4a7484aa + w5; g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, hh, a) + 0x5cb0a9dc + w6; f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, hh) + 0x76f988da + w7; e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    w8 += s1(w6) + w1 + s0(w9);
    hh += S1(e) + ch(e, f, g) + 0x983e5152 + w8; d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0xa831c66d + w9; c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0xb00327c8 + w10; b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0xbf597fc7 + w11; a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0xc6e00bf3 + w12; hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(hh) + ch(hh, a, b) + 0xd5a79147 + w13; g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, hh, a) + 0x06ca6351 + w14; f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, hh) + 0x14292967 + w15; e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    w0 += s1(w14) + w9 + s0(w1);
    hh += S1(e) + ch(e, f, g) + 0x27b70a85 + w0; d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0x2e1b2138 + w1; c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x4d2c6dfc + w2; b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x53380d13 + w3; a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x650a7354 + w4; hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(hh) + ch(hh, a, b) + 0x766a0abb + w5; g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, hh, a) + 0x81c2c92e + w6; f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, hh) + 0x92722c85 + w7; e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    w8 += s1(w6) + w1 + s0(w9);
    hh += S1(e) + ch(e, f, g) + 0xa2bfe8a1 + w8; d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0xa81a664b + w9; c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0xc24b8b70 + w10; b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0xc76c51a3 + w11; a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0xd192e819 + w12; hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(hh) + ch(hh, a, b) + 0xd6990624 + w13; g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, hh, a) + 0xf40e3585 + w14; f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, hh) + 0x106aa070 + w15; e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    w0 += s1(w14) + w9 + s0(w1);
    hh += S1(e) + ch(e, f, g) + 0x19a4c116 + w0; d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    w1 += s1(w15) + w10 + s0(w2);
    g += S1(d) + ch(d, e, f) + 0x1e376c08 + w1; c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    w2 += s1(w0) + w11 + s0(w3);
    f += S1(c) + ch(c, d, e) + 0x2748774c + w2; b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    w3 += s1(w1) + w12 + s0(w4);
    e += S1(b) + ch(b, c, d) + 0x34b0bcb5 + w3; a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    w4 += s1(w2) + w13 + s0(w5);
    d += S1(a) + ch(a, b, c) + 0x391c0cb3 + w4; hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    w5 += s1(w3) + w14 + s0(w6);
    c += S1(hh) + ch(hh, a, b) + 0x4ed8aa4a + w5; g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    w6 += s1(w4) + w15 + s0(w7);
    b += S1(g) + ch(g, hh, a) + 0x5b9cca4f + w6; f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    w7 += s1(w5) + w0 + s0(w8);
    a += S1(f) + ch(f, g, hh) + 0x682e6ff3 + w7; e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
    w8 += s1(w6) + w1 + s0(w9);
    hh += S1(e) + ch(e, f, g) + 0x748f82ee + w8; d += hh; m0 = a ^ b; hh += S0(a) + (b ^ (m0 & m1));
    w9 += s1(w7) + w2 + s0(w10);
    g += S1(d) + ch(d, e, f) + 0x78a5636f + w9; c += g; m1 = hh ^ a; g += S0(hh) + (a ^ (m1 & m0));
    w10 += s1(w8) + w3 + s0(w11);
    f += S1(c) + ch(c, d, e) + 0x84c87814 + w10; b += f; m0 = g ^ hh; f += S0(g) + (hh ^ (m0 & m1));
    w11 += s1(w9) + w4 + s0(w12);
    e += S1(b) + ch(b, c, d) + 0x8cc70208 + w11; a += e; m1 = f ^ g; e += S0(f) + (g ^ (m1 & m0));
    w12 += s1(w10) + w5 + s0(w13);
    d += S1(a) + ch(a, b, c) + 0x90befffa + w12; hh += d; m0 = e ^ f; d += S0(e) + (f ^ (m0 & m1));
    w13 += s1(w11) + w6 + s0(w14);
    c += S1(hh) + ch(hh, a, b) + 0xa4506ceb + w13; g += c; m1 = d ^ e; c += S0(d) + (e ^ (m1 & m0));
    w14 += s1(w12) + w7 + s0(w15);
    b += S1(g) + ch(g, hh, a) + 0xbef9a3f7 + w14; f += b; m0 = c ^ d; b += S0(c) + (d ^ (m0 & m1));
    w15 += s1(w13) + w8 + s0(w0);
    a += S1(f) + ch(f, g, hh) + 0xc67178f2 + w15; e += a; m1 = b ^ c; a += S0(b) + (c ^ (m1 & m0));
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
