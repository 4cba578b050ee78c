// Last line of defence before an SA reaches the ESP data plane (issue 9 item 1):
// - every SA gets its own IV seed from the host's Rng (RFC 4106 §3.1 / RFC 3602 §2.3: the IV
//   must never repeat under one key; the data plane masks its IV counter with the seed), so
//   two SAs never count IVs from the same start;
// - an SA whose (direction, suite, key, salt) was installed before is refused and counted: an
//   AES-GCM key with its salt (the last 4 bytes of the GCM key, RFC 4106 §8.1) is never used
//   by two SAs. The memory holds 128-bit fingerprints, bounded (`limit`, oldest first out);
//   KEYMAT draws make a repeat impossible by construction (src/hip/keymat-alloc.ts), this
//   check catches any path that would still do it.
import { sha256 } from "../core/crypto/sym.ts";
import { concat, hex } from "../core/bytes.ts";
import type { Rng } from "../core/types.ts";
import type { SaParams } from "../hip/sa.ts";

export class SaGuard {
  private readonly seen = new Set<string>();
  /** "sa.key_reused" (refused installs), "sa.iv_seeded". */
  readonly counters: Record<string, number> = {};

  constructor(
    private readonly rng: Rng,
    /** Fingerprints kept (default 65 536, about 5.5 MB at most: ~83 bytes each). */
    readonly limit = 65_536,
  ) {}

  /** Fingerprints remembered (read-only, for invariant checkers). */
  get size(): number {
    return this.seen.size;
  }

  /** True when an SA with these keys was installed before (nothing recorded). */
  seenBefore(sa: SaParams): boolean {
    return this.seen.has(fingerprint(sa));
  }

  /**
   * The SA to install (with a fresh IV seed for outbound SAs when none is given), or undefined
   * when its keys were installed before (refused, counted as "sa.key_reused").
   */
  admit(sa: SaParams): SaParams | undefined {
    if (sa.encKey.length === 0 && sa.authKey.length === 0) return sa;
    const fp = fingerprint(sa);
    if (this.seen.has(fp)) {
      this.count("sa.key_reused");
      return undefined;
    }
    this.seen.add(fp);
    if (this.seen.size > this.limit) this.seen.delete(this.seen.values().next().value as string);
    if (sa.direction !== "out" || sa.ivSeed) return sa;
    this.count("sa.iv_seeded");
    return { ...sa, ivSeed: this.rng.fill(new Uint8Array(16)) };
  }

  private count(name: string): void {
    this.counters[name] = (this.counters[name] ?? 0) + 1;
  }
}

/** 128-bit fingerprint of an SA's direction, suite and keys (GCM: the key includes the salt). */
function fingerprint(sa: SaParams): string {
  const head = new Uint8Array([sa.direction === "in" ? 1 : 2, sa.suite, sa.encKey.length, sa.authKey.length]);
  return hex(sha256(concat(head, sa.encKey, sa.authKey)).subarray(0, 16));
}
