// Locator and SPI allocation for leases (draft §4.4: "requests for an IP address (and SPI
// range)"; PROFILE §2 addr types 4 and 6). The lease store is the record of what is in use.
import type { Locator, Rng } from "../../core/types.ts";
import { SPI_BLOCK, SPI_BLOCK_SHIFT } from "./lease.ts";
import type { LeaseIndex } from "./lease-index.ts";

/** Hands out aligned runs of SPI blocks from [first, last] (shared IPv4 locators demultiplex
 *  ESP by SPI, §4.4). Random start, then a bounded linear probe. */
export class SpiAllocator {
  private readonly firstBlock: number;
  private readonly blocks: number;
  private used = 0;
  private readonly u32 = new Uint8Array(4);

  constructor(
    first: number,
    last: number,
    private readonly store: LeaseIndex,
    private readonly rng: Rng,
  ) {
    this.firstBlock = Math.ceil(Math.max(first, 256) / SPI_BLOCK);
    this.blocks = Math.max(0, Math.floor((last + 1) / SPI_BLOCK) - this.firstBlock);
  }

  /** Count blocks already held (after loading a persistent store). */
  noteUsed(blocks: number): void {
    this.used += blocks;
  }

  get free(): number {
    return this.blocks - this.used;
  }

  /** SPIs → whole blocks. */
  static blocksFor(spis: number): number {
    return Math.max(1, Math.ceil(spis / SPI_BLOCK));
  }

  /** Allocate `n` contiguous blocks; returns [spiMin, spiMax] or undefined when none is free. */
  allocate(n: number): [number, number] | undefined {
    if (n > this.free || n > this.blocks) return undefined;
    const span = this.blocks - n + 1;
    this.rng.fill(this.u32);
    let start = (((this.u32[0] << 24) | (this.u32[1] << 16) | (this.u32[2] << 8) | this.u32[3]) >>> 0) % span;
    const probes = Math.min(span, 1 << 16);
    for (let p = 0; p < probes; p++, start = (start + 1) % span) {
      let ok = true;
      for (let b = 0; b < n && ok; b++) if (this.store.bySpi((this.firstBlock + start + b) << SPI_BLOCK_SHIFT >>> 0)) ok = false;
      if (ok) {
        this.used += n;
        const min = ((this.firstBlock + start) * SPI_BLOCK) >>> 0;
        return [min, min + n * SPI_BLOCK - 1];
      }
    }
    return undefined;
  }

  release(spiMin: number, spiMax: number): void {
    this.used -= (spiMax - spiMin + 1) / SPI_BLOCK;
  }
}

/** Dedicated locators (addr type 6): a free list over the configured pool. */
export class LocatorPool {
  private readonly free: Locator[];

  constructor(
    pool: readonly Locator[],
    store: LeaseIndex,
    private readonly rng: Rng,
  ) {
    this.free = pool.filter((l) => !store.byLocator(l));
  }

  get available(): number {
    return this.free.length;
  }

  allocate(): Locator | undefined {
    if (this.free.length === 0) return undefined;
    const r = this.rng.fill(new Uint8Array(2));
    const i = ((r[0] << 8) | r[1]) % this.free.length;
    const l = this.free[i];
    this.free[i] = this.free[this.free.length - 1];
    this.free.pop();
    return l;
  }

  release(l: Locator): void {
    if (!this.free.some((x) => x.ip === l.ip && x.port === l.port)) this.free.push(l);
  }

  /** A locator leased elsewhere (loaded, or granted by another fleet node) is not free. */
  take(l: Locator): void {
    const i = this.free.findIndex((x) => x.ip === l.ip && x.port === l.port);
    if (i < 0) return;
    this.free[i] = this.free[this.free.length - 1];
    this.free.pop();
  }
}
