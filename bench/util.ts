// Timing helpers for benchmarks (benchmarks may use the clock; protocol cores may not).
import type { BenchRow } from "./run.ts";

/**
 * Runs fn repeatedly for about `ms` milliseconds (after a warm-up) and returns ops/second.
 * `limit`: at most this many calls in all, warm-up included (inputs that may not repeat, such as
 * a pool of signed requests an agent would refuse as replays); the warm-up takes at most a quarter.
 */
export function opsPerSecond(fn: () => void, ms = 400, limit = Number.POSITIVE_INFINITY): number {
  const warm = performance.now() + Math.min(100, ms / 4);
  let calls = 0;
  while (performance.now() < warm && calls < limit / 4) {
    fn();
    calls++;
  }
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms && calls + 64 <= limit) {
    for (let i = 0; i < 64; i++) fn();
    n += 64;
    calls += 64;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

/** Async variant: awaits fn each time. */
export async function opsPerSecondAsync(fn: () => Promise<void>, ms = 400): Promise<number> {
  const warm = performance.now() + Math.min(100, ms / 4);
  while (performance.now() < warm) await fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    await fn();
    n++;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

/** A row where higher is better (rates). */
export function rateRow(name: string, unit: string, value: number, baseline: number | null, extra: Record<string, unknown> = {}): BenchRow {
  return { name, unit, value: round(value), baseline: baseline === null ? null : round(baseline), ratio: baseline ? round(value / baseline, 3) : null, ...extra };
}

/** A row where lower is better (latencies, bytes): ratio = baseline / value. */
export function costRow(name: string, unit: string, value: number, baseline: number | null, extra: Record<string, unknown> = {}): BenchRow {
  return { name, unit, value: round(value), baseline: baseline === null ? null : round(baseline), ratio: baseline && value ? round(baseline / value, 3) : null, ...extra };
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
