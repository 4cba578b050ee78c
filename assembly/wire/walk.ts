// HIP parameter (TLV) walk, RFC 7401 §5.2.1. The TS facade (src/wire/walk.ts) copies one packet
// into WALK_IN, calls walkParams, and reads (type, tlvOffset, length) triples from WALK_INDEX.
// All memory is static (memory.data): nothing is allocated per packet.

/** Largest input the WASM walk accepts (HIP packets are at most 2048 bytes). */
const WALK_MAX_BYTES: i32 = 8192;
/** Every TLV occupies at least 8 bytes, so this many entries always suffice. */
const WALK_MAX_ENTRIES: i32 = WALK_MAX_BYTES / 8;

const WALK_IN: usize = memory.data(WALK_MAX_BYTES, 16);
const WALK_INDEX: usize = memory.data(WALK_MAX_ENTRIES * 12, 16);

// Negative results (mirrored in src/wire/walk.ts).
const ERR_TRUNCATED: i32 = -1; // fewer than 4 bytes left for a TLV header
const ERR_OVERRUN: i32 = -2; // Length + padding runs past the end
const ERR_ORDER: i32 = -3; // type smaller than the previous one
const ERR_INPUT: i32 = -4; // bad len/start arguments

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

/** Byte offset of the last error reported by walkParams. */
export function walkErrorOffset(): i32 {
  return errorOffset;
}

function be16(p: usize): i32 {
  return <i32>bswap<u16>(load<u16>(p));
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
  let pos = start;
  let count: i32 = 0;
  let prev: i32 = -1;
  let out = WALK_INDEX;
  while (pos < len) {
    const left = len - pos;
    if (left < 4) {
      errorOffset = pos;
      return ERR_TRUNCATED;
    }
    const p = WALK_IN + <usize>pos;
    const type = be16(p);
    const length = be16(p + 2);
    const total = (length + 11) & ~7;
    if (total > left) {
      errorOffset = pos;
      return ERR_OVERRUN;
    }
    if (type < prev) {
      errorOffset = pos;
      return ERR_ORDER;
    }
    store<i32>(out, type);
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
