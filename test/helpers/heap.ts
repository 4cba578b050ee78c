// Heap measurements for tests that bound memory (bytes kept per key, per call): a forced GC
// (`--expose-gc` switched on at run time, gc() taken from a fresh context), then heapUsed.
import v8 from "node:v8";
import { runInNewContext } from "node:vm";

v8.setFlagsFromString("--expose-gc");
/** A full garbage collection. */
export const gc = runInNewContext("gc") as () => void;

/** Heap bytes still used after `run` (itself awaited, what it returns kept alive) divided by `n`. */
export async function keptPer<T>(n: number, run: () => T | Promise<T>): Promise<{ per: number; kept: T }> {
  gc();
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const kept = await run();
  gc();
  gc();
  return { per: (process.memoryUsage().heapUsed - h0) / n, kept };
}
