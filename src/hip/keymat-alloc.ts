// One monotonic KEYMAT allocator per association (RFC 7402 §6.8 step 2, §7; draft-nikander-
// hip-mm-00 §6.1.1.1 "Keymaterial index"). Every SA pair of an association is drawn here: the
// base exchange's (I2/R2 ESP_INFO), UPDATE rekeys (RFC 7402 §6.9) and per-interface SAs of the
// mobility extension (REA_INFO), in both roles. The rule that keeps AES-GCM nonces unique:
// KEYMAT bytes are handed out once. A local draw takes the bytes at the high-water mark; an
// index named by the peer is accepted only at or above it (a gap is skipped for good). An index
// that is reused, overlaps an earlier draw or lies below the mark is refused with a reason and
// never derives keys. Indices are byte offsets into KEYMAT (docs/PROTOCOL.md §8.6).

/** Why a peer-named KEYMAT index was refused (counted as `keymat.<reason>`). */
export type KeymatRefusal = "keymat_reused" | "keymat_overlap" | "keymat_below" | "keymat_exhausted";

export interface KeymatDraw {
  readonly index: number;
  readonly len: number;
  readonly by: "local" | "peer";
}

/** Draws remembered for diagnostics and refusal reasons (KEYMAT holds at most ~12 KiB). */
const MAX_DRAWS = 512;

export class KeymatAllocator {
  private mark: number;
  private readonly list: KeymatDraw[] = [];
  /** Refusals by reason (read-only view for counters and invariant checkers). */
  readonly refusals: Record<string, number> = {};

  /**
   * @param start first byte free for ESP keys (after the HIP keys, RFC 7401 §6.5)
   * @param max KEYMAT length (255 HKDF blocks, RFC 5869 §2.3); also capped by the 16-bit index
   */
  constructor(
    start = 0,
    private max = 0xffff,
  ) {
    this.mark = start;
  }

  /** KEYMAT length the allocator hands out (read-only). */
  get limit(): number {
    return this.max;
  }

  /** The high-water mark: every KEYMAT byte below it has been drawn (or skipped). */
  get drawn(): number {
    return this.mark;
  }

  /** Draws so far, oldest first (read-only). */
  draws(): readonly KeymatDraw[] {
    return this.list;
  }

  /** Start of the ESP part (after the HIP keys) and the KEYMAT length: for an allocator that drew nothing yet. */
  begin(start: number, max: number): void {
    if (this.list.length > 0) return;
    this.mark = start;
    this.max = Math.min(max, 0xffff + 1);
  }

  /** A new KEYMAT (a Diffie-Hellman in UPDATE, RFC 7402 §6.10): every draw forgotten, `taken`
   *  bytes from index 0 already drawn (the rekey's own pair). */
  restart(taken: number, max: number): void {
    this.list.length = 0;
    this.max = Math.min(max, 0xffff + 1);
    this.mark = 0;
    this.take(0, taken, "local");
  }

  /** A local draw of `len` bytes; undefined when KEYMAT (or the 16-bit index) is exhausted. */
  draw(len: number): number | undefined {
    const index = this.mark;
    if (index > 0xffff || index + len > this.max) return undefined;
    this.take(index, len, "local");
    return index;
  }

  /** Why the peer may not name `index` for `len` bytes, or undefined when it may. */
  check(index: number, len: number): KeymatRefusal | undefined {
    if (!Number.isInteger(index) || index < 0 || index > 0xffff || index + len > this.max) return "keymat_exhausted";
    if (index >= this.mark) return undefined;
    if (this.list.some((d) => d.index === index)) return "keymat_reused";
    if (this.list.some((d) => index < d.index + d.len && d.index < index + len)) return "keymat_overlap";
    return "keymat_below";
  }

  /** The peer names `index` (REA_INFO / ESP_INFO): taken when fresh, else refused and counted. */
  claim(index: number, len: number): KeymatRefusal | undefined {
    const why = this.check(index, len);
    if (why) {
      this.refusals[why] = (this.refusals[why] ?? 0) + 1;
      return why;
    }
    this.take(index, len, "peer");
    return undefined;
  }

  private take(index: number, len: number, by: "local" | "peer"): void {
    this.list.push({ index, len, by });
    if (this.list.length > MAX_DRAWS) this.list.shift();
    this.mark = index + len;
  }
}
