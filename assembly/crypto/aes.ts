// AES-128/192/256 (FIPS 197) with 32-bit T-tables, state kept as little-endian column words
// so no byte swapping is needed on load/store. Tables are generated once by aesTablesInit().
// Cache-timing note: T-table lookups are data dependent (see docs/PROTOCOL.md §6).

// S-box, inverse S-box and the four encryption / decryption T-tables (1 KiB each).
export const SBOX: usize = memory.data(256, 64);
export const INV_SBOX: usize = memory.data(256, 64);
export const TE: usize = memory.data(4096, 64);
export const TD: usize = memory.data(4096, 64);

/** Size in bytes of one expanded key schedule (15 round keys of 16 bytes). */
export const AES_RK_BYTES: usize = 240;

// Output registers of aesEncryptBlock / aesDecryptBlock (little-endian column words).
export let B0: u32 = 0;
export let B1: u32 = 0;
export let B2: u32 = 0;
export let B3: u32 = 0;

let tablesReady = false;

function xt(x: u32): u32 {
  return ((x << 1) ^ (x & 0x80 ? 0x1b : 0)) & 0xff;
}

function gmul(a: u32, b: u32): u32 {
  let p: u32 = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) p ^= a;
    a = xt(a);
    b >>= 1;
  }
  return p;
}

function rotl8(x: u32, n: u32): u32 {
  return ((x << n) | (x >> (8 - n))) & 0xff;
}

/** Builds the S-boxes and T-tables (FIPS 197 §5.1.1, §5.1.3). Idempotent. */
export function aesTablesInit(): void {
  if (tablesReady) return;
  // Walk the multiplicative group with generator 3: p = 3^k, q = 3^-k = p^-1.
  let p: u32 = 1;
  let q: u32 = 1;
  do {
    p = (p ^ (p << 1) ^ (p & 0x80 ? 0x1b : 0)) & 0xff;
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const s = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4);
    store<u8>(SBOX + p, <u8>(s ^ 0x63));
  } while (p !== 1);
  store<u8>(SBOX, 0x63);
  for (let x: u32 = 0; x < 256; x++) store<u8>(INV_SBOX + load<u8>(SBOX + x), <u8>x);
  for (let x: u32 = 0; x < 256; x++) {
    const s = <u32>load<u8>(SBOX + x);
    // Little-endian column word: byte 0 is the low byte.
    const e = xt(s) | (s << 8) | (s << 16) | ((xt(s) ^ s) << 24);
    const i = <u32>load<u8>(INV_SBOX + x);
    const d = gmul(i, 14) | (gmul(i, 9) << 8) | (gmul(i, 13) << 16) | (gmul(i, 11) << 24);
    for (let k: u32 = 0; k < 4; k++) {
      store<u32>(TE + (k << 10) + (x << 2), rotl<u32>(e, 8 * k));
      store<u32>(TD + (k << 10) + (x << 2), rotl<u32>(d, 8 * k));
    }
  }
  tablesReady = true;
}

function subWord(w: u32): u32 {
  return (
    <u32>load<u8>(SBOX + (w & 0xff)) |
    (<u32>load<u8>(SBOX + ((w >> 8) & 0xff)) << 8) |
    (<u32>load<u8>(SBOX + ((w >> 16) & 0xff)) << 16) |
    (<u32>load<u8>(SBOX + (w >>> 24)) << 24)
  );
}

/** Number of rounds for a key length in bytes (16/24/32), 0 when invalid. */
export function aesRounds(keyLen: i32): i32 {
  return keyLen === 16 ? 10 : keyLen === 24 ? 12 : keyLen === 32 ? 14 : 0;
}

/** Key expansion (FIPS 197 §5.2) into `ek`; when `dk` !== 0 also the equivalent inverse cipher keys (§5.3.5). */
export function aesExpandKey(key: usize, keyLen: i32, ek: usize, dk: usize): i32 {
  const nr = aesRounds(keyLen);
  if (nr === 0) return 0;
  const nk = keyLen >> 2;
  const total = (nr + 1) << 2;
  for (let i = 0; i < nk; i++) store<u32>(ek + (<usize>i << 2), load<u32>(key + (<usize>i << 2)));
  let rcon: u32 = 1;
  for (let i = nk; i < total; i++) {
    let t = load<u32>(ek + (<usize>(i - 1) << 2));
    if (i % nk === 0) {
      t = subWord(rotr<u32>(t, 8)) ^ rcon;
      rcon = xt(rcon);
    } else if (nk > 6 && i % nk === 4) {
      t = subWord(t);
    }
    store<u32>(ek + (<usize>i << 2), load<u32>(ek + (<usize>(i - nk) << 2)) ^ t);
  }
  if (dk !== 0) {
    for (let r = 0; r <= nr; r++) {
      for (let j = 0; j < 4; j++) {
        const w = load<u32>(ek + (<usize>(((nr - r) << 2) + j) << 2));
        let v = w;
        if (r > 0 && r < nr) {
          v =
            load<u32>(TD + (<usize>load<u8>(SBOX + (w & 0xff)) << 2)) ^
            load<u32>(TD + 1024 + (<usize>load<u8>(SBOX + ((w >> 8) & 0xff)) << 2)) ^
            load<u32>(TD + 2048 + (<usize>load<u8>(SBOX + ((w >> 16) & 0xff)) << 2)) ^
            load<u32>(TD + 3072 + (<usize>load<u8>(SBOX + (w >>> 24)) << 2));
        }
        store<u32>(dk + (<usize>((r << 2) + j) << 2), v);
      }
    }
  }
  return nr;
}

// Table lookups with the table base as the load's immediate offset and the byte index scaled
// in one shift + mask: T_k[byte k of x] is at T + 1024k + 4·byte.
function te0(x: u32): u32 {
  return load<u32>(<usize>((x << 2) & 0x3fc), TE);
}
function te1(x: u32): u32 {
  return load<u32>(<usize>((x >> 6) & 0x3fc), TE + 1024);
}
function te2(x: u32): u32 {
  return load<u32>(<usize>((x >> 14) & 0x3fc), TE + 2048);
}
function te3(x: u32): u32 {
  return load<u32>(<usize>((x >> 22) & 0x3fc), TE + 3072);
}
function td0(x: u32): u32 {
  return load<u32>(<usize>((x << 2) & 0x3fc), TD);
}
function td1(x: u32): u32 {
  return load<u32>(<usize>((x >> 6) & 0x3fc), TD + 1024);
}
function td2(x: u32): u32 {
  return load<u32>(<usize>((x >> 14) & 0x3fc), TD + 2048);
}
function td3(x: u32): u32 {
  return load<u32>(<usize>((x >> 22) & 0x3fc), TD + 3072);
}
function sb(x: u32): u32 {
  return <u32>load<u8>(<usize>(x & 0xff), SBOX);
}
function isb(x: u32): u32 {
  return <u32>load<u8>(<usize>(x & 0xff), INV_SBOX);
}

/** Encrypts the block (little-endian column words b0..b3) with round keys `rk`; result in B0..B3. */
export function aesEncryptBlock(rk: usize, nr: i32, b0: u32, b1: u32, b2: u32, b3: u32): void {
  let s0 = b0 ^ load<u32>(rk);
  let s1 = b1 ^ load<u32>(rk, 4);
  let s2 = b2 ^ load<u32>(rk, 8);
  let s3 = b3 ^ load<u32>(rk, 12);
  // nr is even: rounds 1 .. nr-1 are one round and then pairs (two rounds per iteration).
  let u0 = te0(s0) ^ te1(s1) ^ te2(s2) ^ te3(s3) ^ load<u32>(rk, 16);
  let u1 = te0(s1) ^ te1(s2) ^ te2(s3) ^ te3(s0) ^ load<u32>(rk, 20);
  let u2 = te0(s2) ^ te1(s3) ^ te2(s0) ^ te3(s1) ^ load<u32>(rk, 24);
  let u3 = te0(s3) ^ te1(s0) ^ te2(s1) ^ te3(s2) ^ load<u32>(rk, 28);
  const end = rk + (<usize>nr << 4);
  for (rk += 16; rk + 16 < end; rk += 32) {
    s0 = te0(u0) ^ te1(u1) ^ te2(u2) ^ te3(u3) ^ load<u32>(rk, 16);
    s1 = te0(u1) ^ te1(u2) ^ te2(u3) ^ te3(u0) ^ load<u32>(rk, 20);
    s2 = te0(u2) ^ te1(u3) ^ te2(u0) ^ te3(u1) ^ load<u32>(rk, 24);
    s3 = te0(u3) ^ te1(u0) ^ te2(u1) ^ te3(u2) ^ load<u32>(rk, 28);
    u0 = te0(s0) ^ te1(s1) ^ te2(s2) ^ te3(s3) ^ load<u32>(rk, 32);
    u1 = te0(s1) ^ te1(s2) ^ te2(s3) ^ te3(s0) ^ load<u32>(rk, 36);
    u2 = te0(s2) ^ te1(s3) ^ te2(s0) ^ te3(s1) ^ load<u32>(rk, 40);
    u3 = te0(s3) ^ te1(s0) ^ te2(s1) ^ te3(s2) ^ load<u32>(rk, 44);
  }
  s0 = u0;
  s1 = u1;
  s2 = u2;
  s3 = u3;
  rk = end;
  B0 = (sb(s0) | (sb(s1 >> 8) << 8) | (sb(s2 >> 16) << 16) | (sb(s3 >> 24) << 24)) ^ load<u32>(rk);
  B1 = (sb(s1) | (sb(s2 >> 8) << 8) | (sb(s3 >> 16) << 16) | (sb(s0 >> 24) << 24)) ^ load<u32>(rk, 4);
  B2 = (sb(s2) | (sb(s3 >> 8) << 8) | (sb(s0 >> 16) << 16) | (sb(s1 >> 24) << 24)) ^ load<u32>(rk, 8);
  B3 = (sb(s3) | (sb(s0 >> 8) << 8) | (sb(s1 >> 16) << 16) | (sb(s2 >> 24) << 24)) ^ load<u32>(rk, 12);
}

/** Decrypts the block b0..b3 with equivalent-inverse round keys `dk`; result in B0..B3. */
export function aesDecryptBlock(dk: usize, nr: i32, b0: u32, b1: u32, b2: u32, b3: u32): void {
  let s0 = b0 ^ load<u32>(dk);
  let s1 = b1 ^ load<u32>(dk, 4);
  let s2 = b2 ^ load<u32>(dk, 8);
  let s3 = b3 ^ load<u32>(dk, 12);
  let u0 = td0(s0) ^ td1(s3) ^ td2(s2) ^ td3(s1) ^ load<u32>(dk, 16);
  let u1 = td0(s1) ^ td1(s0) ^ td2(s3) ^ td3(s2) ^ load<u32>(dk, 20);
  let u2 = td0(s2) ^ td1(s1) ^ td2(s0) ^ td3(s3) ^ load<u32>(dk, 24);
  let u3 = td0(s3) ^ td1(s2) ^ td2(s1) ^ td3(s0) ^ load<u32>(dk, 28);
  const end = dk + (<usize>nr << 4);
  for (dk += 16; dk + 16 < end; dk += 32) {
    s0 = td0(u0) ^ td1(u3) ^ td2(u2) ^ td3(u1) ^ load<u32>(dk, 16);
    s1 = td0(u1) ^ td1(u0) ^ td2(u3) ^ td3(u2) ^ load<u32>(dk, 20);
    s2 = td0(u2) ^ td1(u1) ^ td2(u0) ^ td3(u3) ^ load<u32>(dk, 24);
    s3 = td0(u3) ^ td1(u2) ^ td2(u1) ^ td3(u0) ^ load<u32>(dk, 28);
    u0 = td0(s0) ^ td1(s3) ^ td2(s2) ^ td3(s1) ^ load<u32>(dk, 32);
    u1 = td0(s1) ^ td1(s0) ^ td2(s3) ^ td3(s2) ^ load<u32>(dk, 36);
    u2 = td0(s2) ^ td1(s1) ^ td2(s0) ^ td3(s3) ^ load<u32>(dk, 40);
    u3 = td0(s3) ^ td1(s2) ^ td2(s1) ^ td3(s0) ^ load<u32>(dk, 44);
  }
  s0 = u0;
  s1 = u1;
  s2 = u2;
  s3 = u3;
  dk = end;
  B0 = (isb(s0) | (isb(s3 >> 8) << 8) | (isb(s2 >> 16) << 16) | (isb(s1 >> 24) << 24)) ^ load<u32>(dk);
  B1 = (isb(s1) | (isb(s0 >> 8) << 8) | (isb(s3 >> 16) << 16) | (isb(s2 >> 24) << 24)) ^ load<u32>(dk, 4);
  B2 = (isb(s2) | (isb(s1 >> 8) << 8) | (isb(s0 >> 16) << 16) | (isb(s3 >> 24) << 24)) ^ load<u32>(dk, 8);
  B3 = (isb(s3) | (isb(s2 >> 8) << 8) | (isb(s1 >> 16) << 16) | (isb(s0 >> 24) << 24)) ^ load<u32>(dk, 12);
}
