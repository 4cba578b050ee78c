// HIP parameter (TLV) walk, RFC 7401 §5.2.1. Facade: src/wire/walk.ts (docs/PROTOCOL.md §3).
// Single packet: the facade copies one packet into WALK_IN (or names one already in WASM memory,
// walkParamsAt) and reads (type, tlvOffset, length) triples from WALK_INDEX.
// Batch: descriptors (ptr, len) in BATCH_DESC name packets anywhere in WASM memory (usually laid
// into BATCH_IN); one walkBatch call writes a 4-int record per packet to BATCH_OUT and all
// triples to the shared BATCH_INDEX. All memory is static (memory.data): no per-packet allocation.

/** Largest input the single-packet walk accepts (HIP packets are at most 2048 bytes). */
const WALK_MAX_BYTES: i32 = 8192;
/** Every TLV occupies at least 8 bytes, so this many entries always suffice. */
const WALK_MAX_ENTRIES: i32 = WALK_MAX_BYTES / 8;

const WALK_IN: usize = memory.data(WALK_MAX_BYTES, 16);
const WALK_INDEX: usize = memory.data(WALK_MAX_ENTRIES * 12, 16);

/** Batch limits: packets per call, bytes of the input region, entries of the shared index. */
const BATCH_MAX_PACKETS: i32 = 256;
const BATCH_IN_BYTES: i32 = 65536;
const BATCH_INDEX_ENTRIES: i32 = BATCH_IN_BYTES / 8;

const BATCH_IN: usize = memory.data(BATCH_IN_BYTES, 16);
const BATCH_DESC: usize = memory.data(BATCH_MAX_PACKETS * 8, 16); // i32 ptr, i32 len
const BATCH_OUT: usize = memory.data(BATCH_MAX_PACKETS * 16, 16); // status, errorOffset, count, indexStart
const BATCH_INDEX: usize = memory.data(BATCH_INDEX_ENTRIES * 12, 16);

// Negative results (mirrored in src/wire/walk.ts).
const ERR_TRUNCATED: i32 = -1; // fewer than 4 bytes left for a TLV header
const ERR_OVERRUN: i32 = -2; // Length + padding runs past the end
const ERR_ORDER: i32 = -3; // type smaller than the previous one
const ERR_INPUT: i32 = -4; // bad len/start/ptr arguments

let errorOffset: i32 = 0;

export function abiVersion(): i32 {
  return 1;
}

export function walkInputPtr(): usize {
  return WALK_IN;
}

export function walkIndexPtr(): usize {
  return WALK_INDEX;
}

export function walkMaxBytes(): i32 {
  return WALK_MAX_BYTES;
}

/** Byte offset of the last error reported by walkParams / walkParamsAt. */
export function walkErrorOffset(): i32 {
  return errorOffset;
}

export function walkBatchInputPtr(): usize {
  return BATCH_IN;
}
export function walkBatchInputBytes(): i32 {
  return BATCH_IN_BYTES;
}
export function walkBatchDescPtr(): usize {
  return BATCH_DESC;
}
export function walkBatchOutPtr(): usize {
  return BATCH_OUT;
}
export function walkBatchIndexPtr(): usize {
  return BATCH_INDEX;
}
export function walkBatchMaxPackets(): i32 {
  return BATCH_MAX_PACKETS;
}
export function walkBatchIndexEntries(): i32 {
  return BATCH_INDEX_ENTRIES;
}

/**
 * Walks the TLVs in [base + start, base + len), writing triples from `out`. Returns the entry
 * count, or a negative code with errorOffset set. Arguments are already checked by the caller.
 * The loop's only dependency chain is load → Length → padded size → next position; everything
 * else (order check, index stores) runs beside it.
 */
function walkRange(base: usize, len: i32, start: i32, out: usize): i32 {
  let pos = start;
  let count: i32 = 0;
  let prev: u32 = 0;
  while (pos < len) {
    const left = len - pos;
    if (left < 4) {
      errorOffset = pos;
      return ERR_TRUNCATED;
    }
    const p = base + <usize>pos;
    // Big-endian Length from two byte loads: the shortest chain (WASM has no bswap instruction).
    const length = (<i32>load<u8>(p, 2) << 8) | <i32>load<u8>(p, 3);
    const type = (<u32>load<u8>(p) << 8) | <u32>load<u8>(p, 1);
    const total = (length + 11) & ~7;
    // Both checks in one well-predicted branch; the cold path tells them apart.
    if ((total > left) | (type < prev)) {
      errorOffset = pos;
      return total > left ? ERR_OVERRUN : ERR_ORDER;
    }
    store<u32>(out, type);
    store<i32>(out, pos, 4);
    store<i32>(out, length, 8);
    out += 12;
    count++;
    prev = type;
    pos += total;
  }
  errorOffset = 0;
  return count;
}

/** True when [ptr, ptr + len) lies inside linear memory and 0 <= start <= len. */
function inBounds(ptr: usize, len: i32, start: i32): bool {
  return len >= 0 && start >= 0 && start <= len && ptr + <usize>len <= (<usize>memory.size() << 16);
}

/**
 * Walks the TLVs in WALK_IN[start, len). Returns the entry count, or a negative error code with
 * walkErrorOffset() set. Types must be non-decreasing (repeats allowed, e.g. REA_INFO ×n).
 */
export function walkParams(len: i32, start: i32): i32 {
  if (len < 0 || len > WALK_MAX_BYTES || start < 0 || start > len) {
    errorOffset = 0;
    return ERR_INPUT;
  }
  return walkRange(WALK_IN, len, start, WALK_INDEX);
}

/** Like walkParams for a packet already in WASM memory at `ptr` (no copy); index in WALK_INDEX. */
export function walkParamsAt(ptr: usize, len: i32, start: i32): i32 {
  if (len > WALK_MAX_BYTES || !inBounds(ptr, len, start)) {
    errorOffset = 0;
    return ERR_INPUT;
  }
  return walkRange(ptr, len, start, WALK_INDEX);
}

/**
 * Walks packets 0..n-1 named by BATCH_DESC (absolute ptr, len), all from offset `start`. Packet i
 * gets BATCH_OUT[4i..4i+3] = (count or ERR_*, errorOffset, count (0 on error), first entry in
 * BATCH_INDEX). A packet is walked only when its worst case (ceil((len-start)/8) entries) fits in
 * the index; returns how many packets were walked (a prefix: the caller repeats with the rest).
 */
export function walkBatch(n: i32, start: i32): i32 {
  if (n > BATCH_MAX_PACKETS) n = BATCH_MAX_PACKETS;
  let used: i32 = 0;
  for (let i: i32 = 0; i < n; i++) {
    const d = BATCH_DESC + (<usize>i << 3);
    const ptr = <usize>load<u32>(d);
    const len = load<i32>(d, 4);
    const rec = BATCH_OUT + (<usize>i << 4);
    if (len > BATCH_IN_BYTES || !inBounds(ptr, len, start)) {
      store<i32>(rec, ERR_INPUT);
      store<i32>(rec, 0, 4);
      store<i32>(rec, 0, 8);
      store<i32>(rec, used, 12);
      continue;
    }
    if (used + ((len - start + 7) >> 3) > BATCH_INDEX_ENTRIES) return i;
    const r = walkRange(ptr, len, start, BATCH_INDEX + <usize>used * 12);
    const count = max<i32>(r, 0);
    store<i32>(rec, r);
    store<i32>(rec, errorOffset, 4);
    store<i32>(rec, count, 8);
    store<i32>(rec, used, 12);
    used += count;
  }
  return n;
}
