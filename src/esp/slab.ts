// Output buffers for the per-packet data plane without one allocation per packet: packets and
// payloads handed out of WASM memory are views carved one after another from a shared chunk
// (as Node's Buffer pool does), never reused, so each view stays valid as long as it is held.
// A new chunk starts when the current one is full; the old one is freed once no view holds it.

/** Largest copy carved from a chunk; bigger ones get their own buffer. */
const MAX_CARVE = 4096;

export class Slab {
  private chunk: Uint8Array = new Uint8Array(0);
  private used = 0;

  constructor(private readonly chunkBytes = 64 * 1024) {}

  /** A fresh copy of `src[from, to)`. */
  copy(src: Uint8Array, from: number, to: number): Uint8Array {
    const n = to - from;
    if (n > MAX_CARVE) return src.slice(from, to);
    if (this.used + n > this.chunk.length) {
      this.chunk = new Uint8Array(this.chunkBytes);
      this.used = 0;
    }
    const at = this.used;
    const out = this.chunk.subarray(at, at + n);
    // Short copies: a loop beats creating the source view for set().
    if (n <= 64) for (let i = 0; i < n; i++) this.chunk[at + i] = src[from + i];
    else out.set(src.subarray(from, to));
    this.used = (at + n + 7) & ~7;
    return out;
  }
}
