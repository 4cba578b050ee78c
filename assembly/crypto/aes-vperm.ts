// AES-128 with vector permutes (M. Hamburg, "Accelerating AES with Vector Permute Instructions",
// CHES 2009; the public-domain "vpaes" constants). SubBytes is computed as an inversion in
// GF(2^4)^2 on the two nibbles of every byte with 16-entry tables looked up by i8x16.swizzle,
// so there are no data-dependent memory accesses (constant time). The state lives in a
// transformed basis; ShiftRows is folded into the MixColumns rotations and undone at the end.
// The round keys are transformed accordingly by vpKeyExpand128 (176 bytes each for ek and dk).
// i8x16.swizzle returns 0 for indices ≥ 16 where pshufb does for indices ≥ 0x80: every index
// used here is in 0x00..0x0f or 0x80..0x8f, so both agree.

export const VP_RK_BYTES: usize = 176;

// Nibble mask and the GF(2^4) inversion tables.
const C_NIB = i8x16.splat(0x0f);
const C_INV1 = i32x4(0x0d080180, 0x0e05060f, 0x0a0b0c02, 0x04070309);
const C_INV2 = i32x4(0x0f0b0780, 0x01040a06, 0x02050809, 0x030d0e0c);
// Input basis change (low / high nibble) and the S-box output tables (u: from t5, t: from t6).
const C_IPT1 = i32x4(0x5a2a7000, 0xc2b2e898, 0x52227808, 0xcabae090);
const C_IPT2 = i32x4(0x317c4d00, 0x4c01307d, 0xb0fdcc81, 0xcd80b1fc);
const C_SB1U = i32x4(0xcb503e00, 0xb19be18f, 0x142af544, 0xa5df7a6e);
const C_SB1T = i32x4(0xfae22300, 0x3618d415, 0x0d2ed9ef, 0x3bf7ccc1);
const C_SB2U = i32x4(0x0b712400, 0xe27a93c6, 0xbc982fcd, 0x5eb7e955);
const C_SB2T = i32x4(0x0ae12900, 0x69eb8840, 0xab82234a, 0xc2a163c8);
const C_SBOU = i32x4(0x6fbdc700, 0xd0d26d17, 0xc502a878, 0x15aabf7a);
const C_SBOT = i32x4(0x5fbb6a00, 0xcfe474a5, 0x412b35fa, 0x8e1e90d1);
// Inverse cipher.
const C_DIPT1 = i32x4(0x0b545f00, 0x0f505b04, 0x114e451a, 0x154a411e);
const C_DIPT2 = i32x4(0x60056500, 0x86e383e6, 0xf491f194, 0x12771772);
const C_SB9U = i32x4(0x9a86d600, 0x851c0353, 0x4f994cc9, 0xcad51f50);
const C_SB9T = i32x4(0xecd74900, 0xc03b1789, 0xb2fba565, 0x725e2c9e);
const C_SBEU = i32x4(0x26d4d000, 0x46f29296, 0x64b4f6b0, 0x22426004);
const C_SBET = i32x4(0xffaac100, 0x0c55a6cd, 0x98593e32, 0x9467f36b);
const C_SBDU = i32x4(0xe6b1a200, 0x7d57ccdf, 0x882a4439, 0xf56e9b13);
const C_SBDT = i32x4(0x24c6cb00, 0x3ce2faf7, 0x15deefd3, 0x2931180d);
const C_SBBU = i32x4(0x96b44200, 0xd0226492, 0xb0f2d404, 0x602646f6);
const C_SBBT = i32x4(0xcd596700, 0xc19498a6, 0x3255aa6b, 0xf3ff0c3e);
const C_DSBOU = i32x4(0x7ef94000, 0x1387ea53, 0xd4943e2d, 0xc7aa6db9);
const C_DSBOT = i32x4(0x93441d00, 0x12d7560f, 0xd8c58e9c, 0xca4b8159);
// Key schedule: output transforms and the rcon register (in the transformed basis).
const OPT1 = i32x4(0xd6b66000, 0xff9f4929, 0xdebe6808, 0xf7974121);
const OPT2 = i32x4(0x50bcec00, 0x01edbd51, 0xb05c0ce0, 0xe10d5db1);
const DESKEW1 = i32x4(0x47a4e300, 0x07e4a340, 0x5dbef91a, 0x1dfeb95a);
const DESKEW2 = i32x4(0x83ea6900, 0x5f36b5dc, 0xf49d1e77, 0x2841c2ab);
const DSK0 = i32x4(0x7ed9a700, 0xb6116fc8, 0x82255bfc, 0x4aed9334);
const DSK1 = i32x4(0x27143300, 0x45765162, 0xe9dafdce, 0x8bb89fac);
const DSK2 = i32x4(0xcca86400, 0x27438feb, 0xadc90561, 0x4622ee8a);
const DSK3 = i32x4(0x4f92dd00, 0x815c13ce, 0xbd602ff2, 0x73aee13c);
const DSK4 = i32x4(0x01c6c700, 0x03c4c502, 0xfa3d3cfb, 0xf83f3ef9);
const DSK5 = i32x4(0x38cff700, 0xee1921d6, 0x7384bc4b, 0xa5526a9d);
const DSK6 = i32x4(0x53732000, 0xe3c390b0, 0x10306343, 0xa080d3f3);
const DSK7 = i32x4(0x036982e8, 0xa0ca214b, 0x8ce60d67, 0x2f45aec4);
const RCON = i32x4(0xaf9deeb6, 0x1f8391b9, 0x4d7c7d81, 0x702a9808);
const S5B = i8x16.splat(0x5b);


// The constants live in linear memory: V8 rebuilds a v128.const at every use, a load is one instruction.
const TBL: usize = memory.data(512, 16);
// MixColumns rotations (mc_forward[m]: every 32-bit column rotated right by 8 bits, then the
// columns rotated by m; mc_backward[m]: left by 8, columns by -m) and the last round's ShiftRows,
// as byte permutations applied with one swizzle each: a load and a pshufb, where shifts, an or
// and a pshufd took four instructions (and an i8x16.shuffle's constant is rebuilt at every use).
// About 13 % off every vector-permute AES mode (bench/esp-ab-wasm.ts, stop 28).
const C_MCF0 = i32x4(0x00030201, 0x04070605, 0x080b0a09, 0x0c0f0e0d);
const C_MCF1 = i32x4(0x04070605, 0x080b0a09, 0x0c0f0e0d, 0x00030201);
const C_MCF2 = i32x4(0x080b0a09, 0x0c0f0e0d, 0x00030201, 0x04070605);
const C_MCF3 = i32x4(0x0c0f0e0d, 0x00030201, 0x04070605, 0x080b0a09);
const C_MCB0 = i32x4(0x02010003, 0x06050407, 0x0a09080b, 0x0e0d0c0f);
const C_MCB1 = i32x4(0x0e0d0c0f, 0x02010003, 0x06050407, 0x0a09080b);
const C_MCB2 = i32x4(0x0a09080b, 0x0e0d0c0f, 0x02010003, 0x06050407);
const C_MCB3 = i32x4(0x06050407, 0x0a09080b, 0x0e0d0c0f, 0x02010003);
const C_SR2 = i32x4(0x0b020900, 0x0f060d04, 0x030a0108, 0x070e050c); // ShiftRows table 2 (the last round)
let tblReady = false;
function tblInit(): void {
  if (tblReady) return;
  v128.store(TBL, C_NIB, 0);
  v128.store(TBL, C_INV1, 16);
  v128.store(TBL, C_INV2, 32);
  v128.store(TBL, C_IPT1, 48);
  v128.store(TBL, C_IPT2, 64);
  v128.store(TBL, C_SB1U, 80);
  v128.store(TBL, C_SB1T, 96);
  v128.store(TBL, C_SB2U, 112);
  v128.store(TBL, C_SB2T, 128);
  v128.store(TBL, C_SBOU, 144);
  v128.store(TBL, C_SBOT, 160);
  v128.store(TBL, C_DIPT1, 176);
  v128.store(TBL, C_DIPT2, 192);
  v128.store(TBL, C_SB9U, 208);
  v128.store(TBL, C_SB9T, 224);
  v128.store(TBL, C_SBEU, 240);
  v128.store(TBL, C_SBET, 256);
  v128.store(TBL, C_SBDU, 272);
  v128.store(TBL, C_SBDT, 288);
  v128.store(TBL, C_SBBU, 304);
  v128.store(TBL, C_SBBT, 320);
  v128.store(TBL, C_DSBOU, 336);
  v128.store(TBL, C_DSBOT, 352);
  v128.store(TBL, C_MCF0, 368);
  v128.store(TBL, C_MCF1, 384);
  v128.store(TBL, C_MCF2, 400);
  v128.store(TBL, C_MCF3, 416);
  v128.store(TBL, C_MCB0, 432);
  v128.store(TBL, C_MCB1, 448);
  v128.store(TBL, C_MCB2, 464);
  v128.store(TBL, C_MCB3, 480);
  v128.store(TBL, C_SR2, 496);
  tblReady = true;
}
// ShiftRows by m for the key schedule (once per SA: the constant shuffles are fine there).
function sr(x: v128, m: i32): v128 {
  if (m === 0) return x;
  if (m === 1) return i8x16.shuffle(x, x, 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11);
  if (m === 2) return i8x16.shuffle(x, x, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 5, 14, 7);
  return i8x16.shuffle(x, x, 0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3);
}
// One inversion step yields two index vectors (t5 for the "u" tables, t6 for the "t" tables);
// they are returned through these two locals-by-global to keep the round code readable.
// (Only used by the key schedule; the hot rounds below inline the same steps.)
let IU: v128 = i64x2.splat(0);
let IT: v128 = i64x2.splat(0);
function invert(b: v128): void {
  const t = v128.and(i16x8.shr_u(b, 4), Vp.NIB());
  let x = v128.and(b, Vp.NIB());
  const t2 = Vp.swz(Vp.INV2(), x);
  x = v128.xor(x, t);
  const t3 = v128.xor(t2, Vp.swz(Vp.INV1(), t));
  const t4 = v128.xor(t2, Vp.swz(Vp.INV1(), x));
  IU = v128.xor(x, Vp.swz(Vp.INV1(), t3));
  IT = v128.xor(t, Vp.swz(Vp.INV1(), t4));
}

/** Encrypts two independent blocks round by round (more instruction-level parallelism). */
let E2: v128 = i64x2.splat(0);
let E3: v128 = i64x2.splat(0);
let E4: v128 = i64x2.splat(0);
// ---- Key schedule (AES-128), once per SA install ----

let rcon: v128 = i64x2.splat(0);

function schedRound(k: v128): v128 {
  // RotWord(SubWord(w3)) ^ rcon is folded into the smeared previous key (FIPS 197 §5.2).
  const z = i64x2.splat(0);
  const prev = v128.xor(k, i8x16.shuffle(rcon, z, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16));
  rcon = i8x16.shuffle(rcon, rcon, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
  const w = i8x16.shuffle(k, k, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12);
  let s = v128.xor(prev, i8x16.shuffle(prev, z, 16, 16, 16, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  s = v128.xor(v128.xor(s, i8x16.shuffle(s, z, 16, 16, 16, 16, 16, 16, 16, 16, 0, 1, 2, 3, 4, 5, 6, 7)), S5B);
  invert(w);
  return v128.xor(v128.xor(Vp.swz(Vp.SB1U(), IU), Vp.swz(Vp.SB1T(), IT)), s);
}

function mangleEnc(k: v128, m: i32): v128 {
  let t = Vp.mcf(v128.xor(k, S5B), 0);
  const t1 = t;
  t = Vp.mcf(t, 0);
  return sr(v128.xor(v128.xor(t1, t), Vp.mcf(t, 0)), m);
}

function mangleDec(k: v128, m: i32): v128 {
  let t = Vp.tr(k, DSK0, DSK1);
  let o = Vp.mcf(t, 0);
  t = Vp.tr(t, DSK2, DSK3);
  o = Vp.mcf(v128.xor(t, o), 0);
  t = Vp.tr(t, DSK4, DSK5);
  o = Vp.mcf(v128.xor(t, o), 0);
  t = Vp.tr(t, DSK6, DSK7);
  o = Vp.mcf(v128.xor(t, o), 0);
  return sr(o, m);
}

/** Expands a 16-byte key at `key` into the transformed schedules `ek` and (when ≠ 0) `dk`. */
export function vpKeyExpand128(key: usize, ek: usize, dk: usize): void {
  tblInit();
  rcon = RCON;
  const raw = v128.load(key);
  if (dk !== 0) v128.store(dk, sr(raw, 2), 160);
  let k = Vp.tr(raw, Vp.IPT1(), Vp.IPT2());
  v128.store(ek, k);
  for (let i = 1; i < 10; i++) {
    k = schedRound(k);
    v128.store(ek + (<usize>i << 4), mangleEnc(k, (12 - i) & 3));
    if (dk !== 0) v128.store(dk + (<usize>(10 - i) << 4), mangleDec(k, (10 - i) & 3));
  }
  k = schedRound(k);
  v128.store(ek, Vp.tr(v128.xor(sr(k, 2), S5B), OPT1, OPT2), 160);
  if (dk !== 0) v128.store(dk, Vp.tr(v128.xor(k, S5B), DESKEW1, DESKEW2));
}

// AssemblyScript inlines @inline static methods; plain functions with decorators are not TypeScript.
// biome-ignore lint/complexity/noStaticOnlyClass: namespace for @inline functions (AssemblyScript)
export class Vp {
  /** A table lookup: `i8x16.relaxed_swizzle` (x86 pshufb, no index fix-up) in the relaxed-SIMD
   *  build, else `i8x16.swizzle`. Equal here: every index is in 0x00..0x0f or 0x80..0x8f, and
   *  relaxed_swizzle is exact below 16 and 0 at 128 and above (relaxed-SIMD spec). */
  @inline static swz(a: v128, s: v128): v128 {
    if (ASC_FEATURE_RELAXED_SIMD) return i8x16.relaxed_swizzle(a, s);
    return i8x16.swizzle(a, s);
  }

  @inline static NIB(): v128 {
    return v128.load(TBL, 0);
  }

  @inline static INV1(): v128 {
    return v128.load(TBL, 16);
  }

  @inline static INV2(): v128 {
    return v128.load(TBL, 32);
  }

  @inline static IPT1(): v128 {
    return v128.load(TBL, 48);
  }

  @inline static IPT2(): v128 {
    return v128.load(TBL, 64);
  }

  @inline static SB1U(): v128 {
    return v128.load(TBL, 80);
  }

  @inline static SB1T(): v128 {
    return v128.load(TBL, 96);
  }

  @inline static SB2U(): v128 {
    return v128.load(TBL, 112);
  }

  @inline static SB2T(): v128 {
    return v128.load(TBL, 128);
  }

  @inline static SBOU(): v128 {
    return v128.load(TBL, 144);
  }

  @inline static SBOT(): v128 {
    return v128.load(TBL, 160);
  }

  @inline static DIPT1(): v128 {
    return v128.load(TBL, 176);
  }

  @inline static DIPT2(): v128 {
    return v128.load(TBL, 192);
  }

  @inline static SB9U(): v128 {
    return v128.load(TBL, 208);
  }

  @inline static SB9T(): v128 {
    return v128.load(TBL, 224);
  }

  @inline static SBEU(): v128 {
    return v128.load(TBL, 240);
  }

  @inline static SBET(): v128 {
    return v128.load(TBL, 256);
  }

  @inline static SBDU(): v128 {
    return v128.load(TBL, 272);
  }

  @inline static SBDT(): v128 {
    return v128.load(TBL, 288);
  }

  @inline static SBBU(): v128 {
    return v128.load(TBL, 304);
  }

  @inline static SBBT(): v128 {
    return v128.load(TBL, 320);
  }

  @inline static DSBOU(): v128 {
    return v128.load(TBL, 336);
  }

  @inline static DSBOT(): v128 {
    return v128.load(TBL, 352);
  }

  /** mc_forward[m]: every column rotated right by 8 bits, then the columns rotated by m; one swizzle. */
  @inline static mcf(x: v128, m: i32): v128 {
    return Vp.swz(x, v128.load(TBL + 368 + (<usize>m << 4)));
  }

  /** mc_backward[m]: every column rotated left by 8 bits, then the columns rotated by -m; one swizzle. */
  @inline static mcb(x: v128, m: i32): v128 {
    return Vp.swz(x, v128.load(TBL + 432 + (<usize>m << 4)));
  }

  @inline static sr2(x: v128): v128 {
    return Vp.swz(x, v128.load(TBL, 496));
  }

  @inline static tr(x: v128, lo: v128, hi: v128): v128 {
    return v128.xor(Vp.swz(lo, v128.and(x, Vp.NIB())), Vp.swz(hi, v128.and(i16x8.shr_u(x, 4), Vp.NIB())));
  }

  /** Middle encryption round r (m = r mod 4) with transformed round key k. */
  @inline static encRound(b: v128, k: v128, m: i32): v128 {
    const t = v128.and(i16x8.shr_u(b, 4), Vp.NIB());
    let x = v128.and(b, Vp.NIB());
    const t2 = Vp.swz(Vp.INV2(), x);
    x = v128.xor(x, t);
    const t3 = v128.xor(t2, Vp.swz(Vp.INV1(), t));
    const t4 = v128.xor(t2, Vp.swz(Vp.INV1(), x));
    const u = v128.xor(x, Vp.swz(Vp.INV1(), t3));
    const v = v128.xor(t, Vp.swz(Vp.INV1(), t4));
    const a = v128.xor(v128.xor(Vp.swz(Vp.SB1T(), v), Vp.swz(Vp.SB1U(), u)), k);
    const a2 = v128.xor(v128.xor(Vp.swz(Vp.SB2T(), v), Vp.swz(Vp.SB2U(), u)), Vp.mcf(a, m));
    return v128.xor(v128.xor(Vp.mcf(a2, m), Vp.mcb(a, m)), a2);
  }

  /** Last encryption round (round 10 of AES-128: ShiftRows table 2). */
  @inline static encLast(b: v128, k: v128): v128 {
    const t = v128.and(i16x8.shr_u(b, 4), Vp.NIB());
    let x = v128.and(b, Vp.NIB());
    const t2 = Vp.swz(Vp.INV2(), x);
    x = v128.xor(x, t);
    const t3 = v128.xor(t2, Vp.swz(Vp.INV1(), t));
    const t4 = v128.xor(t2, Vp.swz(Vp.INV1(), x));
    const u = v128.xor(x, Vp.swz(Vp.INV1(), t3));
    const v = v128.xor(t, Vp.swz(Vp.INV1(), t4));
    return Vp.sr2(v128.xor(v128.xor(Vp.swz(Vp.SBOU(), u), Vp.swz(Vp.SBOT(), v)), k));
  }

  @inline static encFirst(b: v128, k: v128): v128 {
    return v128.xor(Vp.tr(b, Vp.IPT1(), Vp.IPT2()), k);
  }

  /** Encrypts one block (wire byte order) with the 176-byte transformed schedule `ek`. */
  @inline static vpEncrypt(ek: usize, b: v128): v128 {
    b = Vp.encFirst(b, v128.load(ek));
    b = Vp.encRound(b, v128.load(ek, 16), 1);
    b = Vp.encRound(b, v128.load(ek, 32), 2);
    b = Vp.encRound(b, v128.load(ek, 48), 3);
    b = Vp.encRound(b, v128.load(ek, 64), 0);
    b = Vp.encRound(b, v128.load(ek, 80), 1);
    b = Vp.encRound(b, v128.load(ek, 96), 2);
    b = Vp.encRound(b, v128.load(ek, 112), 3);
    b = Vp.encRound(b, v128.load(ek, 128), 0);
    b = Vp.encRound(b, v128.load(ek, 144), 1);
    return Vp.encLast(b, v128.load(ek, 160));
  }

  @inline static vpEncrypt2(ek: usize, a: v128, b: v128): v128 {
    let k = v128.load(ek);
    a = Vp.encFirst(a, k);
    b = Vp.encFirst(b, k);
    k = v128.load(ek, 16); a = Vp.encRound(a, k, 1); b = Vp.encRound(b, k, 1);
    k = v128.load(ek, 32); a = Vp.encRound(a, k, 2); b = Vp.encRound(b, k, 2);
    k = v128.load(ek, 48); a = Vp.encRound(a, k, 3); b = Vp.encRound(b, k, 3);
    k = v128.load(ek, 64); a = Vp.encRound(a, k, 0); b = Vp.encRound(b, k, 0);
    k = v128.load(ek, 80); a = Vp.encRound(a, k, 1); b = Vp.encRound(b, k, 1);
    k = v128.load(ek, 96); a = Vp.encRound(a, k, 2); b = Vp.encRound(b, k, 2);
    k = v128.load(ek, 112); a = Vp.encRound(a, k, 3); b = Vp.encRound(b, k, 3);
    k = v128.load(ek, 128); a = Vp.encRound(a, k, 0); b = Vp.encRound(b, k, 0);
    k = v128.load(ek, 144); a = Vp.encRound(a, k, 1); b = Vp.encRound(b, k, 1);
    k = v128.load(ek, 160);
    E2 = Vp.encLast(b, k);
    return Vp.encLast(a, k);
  }

  /** Second output of the last vpEncrypt2. */
  @inline static vpEncrypt4(ek: usize, a: v128, b: v128, c: v128, d: v128): v128 {
    let k = v128.load(ek);
    a = Vp.encFirst(a, k);
    b = Vp.encFirst(b, k);
    c = Vp.encFirst(c, k);
    d = Vp.encFirst(d, k);
    k = v128.load(ek, 16); a = Vp.encRound(a, k, 1); b = Vp.encRound(b, k, 1); c = Vp.encRound(c, k, 1); d = Vp.encRound(d, k, 1);
    k = v128.load(ek, 32); a = Vp.encRound(a, k, 2); b = Vp.encRound(b, k, 2); c = Vp.encRound(c, k, 2); d = Vp.encRound(d, k, 2);
    k = v128.load(ek, 48); a = Vp.encRound(a, k, 3); b = Vp.encRound(b, k, 3); c = Vp.encRound(c, k, 3); d = Vp.encRound(d, k, 3);
    k = v128.load(ek, 64); a = Vp.encRound(a, k, 0); b = Vp.encRound(b, k, 0); c = Vp.encRound(c, k, 0); d = Vp.encRound(d, k, 0);
    k = v128.load(ek, 80); a = Vp.encRound(a, k, 1); b = Vp.encRound(b, k, 1); c = Vp.encRound(c, k, 1); d = Vp.encRound(d, k, 1);
    k = v128.load(ek, 96); a = Vp.encRound(a, k, 2); b = Vp.encRound(b, k, 2); c = Vp.encRound(c, k, 2); d = Vp.encRound(d, k, 2);
    k = v128.load(ek, 112); a = Vp.encRound(a, k, 3); b = Vp.encRound(b, k, 3); c = Vp.encRound(c, k, 3); d = Vp.encRound(d, k, 3);
    k = v128.load(ek, 128); a = Vp.encRound(a, k, 0); b = Vp.encRound(b, k, 0); c = Vp.encRound(c, k, 0); d = Vp.encRound(d, k, 0);
    k = v128.load(ek, 144); a = Vp.encRound(a, k, 1); b = Vp.encRound(b, k, 1); c = Vp.encRound(c, k, 1); d = Vp.encRound(d, k, 1);
    k = v128.load(ek, 160);
    E2 = Vp.encLast(b, k);
    E3 = Vp.encLast(c, k);
    E4 = Vp.encLast(d, k);
    return Vp.encLast(a, k);
  }

  @inline static vpEncrypt2B(): v128 {
    return E2;
  }

  @inline static vpEncrypt4C(): v128 {
    return E3;
  }

  @inline static vpEncrypt4D(): v128 {
    return E4;
  }

  /** Middle decryption round r: the MixColumns rotation mcf[(4 - r) mod 4] is passed as m. */
  @inline static decRound(b: v128, k: v128, m: i32): v128 {
    const t = v128.and(i16x8.shr_u(b, 4), Vp.NIB());
    let x = v128.and(b, Vp.NIB());
    const t2 = Vp.swz(Vp.INV2(), x);
    x = v128.xor(x, t);
    const t3 = v128.xor(t2, Vp.swz(Vp.INV1(), t));
    const t4 = v128.xor(t2, Vp.swz(Vp.INV1(), x));
    const u = v128.xor(x, Vp.swz(Vp.INV1(), t3));
    const v = v128.xor(t, Vp.swz(Vp.INV1(), t4));
    const a = v128.xor(v128.xor(Vp.swz(Vp.SB9T(), v), Vp.swz(Vp.SB9U(), u)), k);
    const c = v128.xor(v128.xor(Vp.mcf(a, m), Vp.swz(Vp.SBDU(), u)), Vp.swz(Vp.SBDT(), v));
    const d = v128.xor(v128.xor(Vp.mcf(c, m), Vp.swz(Vp.SBBU(), u)), Vp.swz(Vp.SBBT(), v));
    return v128.xor(v128.xor(Vp.mcf(d, m), Vp.swz(Vp.SBEU(), u)), Vp.swz(Vp.SBET(), v));
  }

  @inline static decLast(b: v128, k: v128): v128 {
    const t = v128.and(i16x8.shr_u(b, 4), Vp.NIB());
    let x = v128.and(b, Vp.NIB());
    const t2 = Vp.swz(Vp.INV2(), x);
    x = v128.xor(x, t);
    const t3 = v128.xor(t2, Vp.swz(Vp.INV1(), t));
    const t4 = v128.xor(t2, Vp.swz(Vp.INV1(), x));
    const u = v128.xor(x, Vp.swz(Vp.INV1(), t3));
    const v = v128.xor(t, Vp.swz(Vp.INV1(), t4));
    return Vp.sr2(v128.xor(v128.xor(Vp.swz(Vp.DSBOU(), u), Vp.swz(Vp.DSBOT(), v)), k));
  }

  @inline static decFirst(b: v128, k: v128): v128 {
    return v128.xor(Vp.tr(b, Vp.DIPT1(), Vp.DIPT2()), k);
  }

  /** Decrypts two independent blocks with the transformed inverse schedule `dk`; second in E2. */
  @inline static vpDecrypt2(dk: usize, a: v128, b: v128): v128 {
    let k = v128.load(dk);
    a = Vp.decFirst(a, k);
    b = Vp.decFirst(b, k);
    k = v128.load(dk, 16); a = Vp.decRound(a, k, 3); b = Vp.decRound(b, k, 3);
    k = v128.load(dk, 32); a = Vp.decRound(a, k, 2); b = Vp.decRound(b, k, 2);
    k = v128.load(dk, 48); a = Vp.decRound(a, k, 1); b = Vp.decRound(b, k, 1);
    k = v128.load(dk, 64); a = Vp.decRound(a, k, 0); b = Vp.decRound(b, k, 0);
    k = v128.load(dk, 80); a = Vp.decRound(a, k, 3); b = Vp.decRound(b, k, 3);
    k = v128.load(dk, 96); a = Vp.decRound(a, k, 2); b = Vp.decRound(b, k, 2);
    k = v128.load(dk, 112); a = Vp.decRound(a, k, 1); b = Vp.decRound(b, k, 1);
    k = v128.load(dk, 128); a = Vp.decRound(a, k, 0); b = Vp.decRound(b, k, 0);
    k = v128.load(dk, 144); a = Vp.decRound(a, k, 3); b = Vp.decRound(b, k, 3);
    k = v128.load(dk, 160);
    E2 = Vp.decLast(b, k);
    return Vp.decLast(a, k);
  }

  @inline static vpDecrypt4(dk: usize, a: v128, b: v128, c: v128, d: v128): v128 {
    let k = v128.load(dk);
    a = Vp.decFirst(a, k);
    b = Vp.decFirst(b, k);
    c = Vp.decFirst(c, k);
    d = Vp.decFirst(d, k);
    k = v128.load(dk, 16); a = Vp.decRound(a, k, 3); b = Vp.decRound(b, k, 3); c = Vp.decRound(c, k, 3); d = Vp.decRound(d, k, 3);
    k = v128.load(dk, 32); a = Vp.decRound(a, k, 2); b = Vp.decRound(b, k, 2); c = Vp.decRound(c, k, 2); d = Vp.decRound(d, k, 2);
    k = v128.load(dk, 48); a = Vp.decRound(a, k, 1); b = Vp.decRound(b, k, 1); c = Vp.decRound(c, k, 1); d = Vp.decRound(d, k, 1);
    k = v128.load(dk, 64); a = Vp.decRound(a, k, 0); b = Vp.decRound(b, k, 0); c = Vp.decRound(c, k, 0); d = Vp.decRound(d, k, 0);
    k = v128.load(dk, 80); a = Vp.decRound(a, k, 3); b = Vp.decRound(b, k, 3); c = Vp.decRound(c, k, 3); d = Vp.decRound(d, k, 3);
    k = v128.load(dk, 96); a = Vp.decRound(a, k, 2); b = Vp.decRound(b, k, 2); c = Vp.decRound(c, k, 2); d = Vp.decRound(d, k, 2);
    k = v128.load(dk, 112); a = Vp.decRound(a, k, 1); b = Vp.decRound(b, k, 1); c = Vp.decRound(c, k, 1); d = Vp.decRound(d, k, 1);
    k = v128.load(dk, 128); a = Vp.decRound(a, k, 0); b = Vp.decRound(b, k, 0); c = Vp.decRound(c, k, 0); d = Vp.decRound(d, k, 0);
    k = v128.load(dk, 144); a = Vp.decRound(a, k, 3); b = Vp.decRound(b, k, 3); c = Vp.decRound(c, k, 3); d = Vp.decRound(d, k, 3);
    k = v128.load(dk, 160);
    E2 = Vp.decLast(b, k);
    E3 = Vp.decLast(c, k);
    E4 = Vp.decLast(d, k);
    return Vp.decLast(a, k);
  }

  @inline static vpDecrypt(dk: usize, a: v128): v128 {
    a = Vp.decFirst(a, v128.load(dk));
    a = Vp.decRound(a, v128.load(dk, 16), 3);
    a = Vp.decRound(a, v128.load(dk, 32), 2);
    a = Vp.decRound(a, v128.load(dk, 48), 1);
    a = Vp.decRound(a, v128.load(dk, 64), 0);
    a = Vp.decRound(a, v128.load(dk, 80), 3);
    a = Vp.decRound(a, v128.load(dk, 96), 2);
    a = Vp.decRound(a, v128.load(dk, 112), 1);
    a = Vp.decRound(a, v128.load(dk, 128), 0);
    a = Vp.decRound(a, v128.load(dk, 144), 3);
    return Vp.decLast(a, v128.load(dk, 160));
  }
}
