// Binary min-heap of timed events for the simulator. Ties on `time` are broken by the
// insertion sequence number, so two runs that schedule the same events in the same order
// pop them in the same order (determinism does not depend on heap layout).
import type { Millis } from "../core/types.ts";

export interface Timed {
  time: Millis;
  seq: number;
}

/** A binary min-heap of timed events; ties broken by insertion sequence (deterministic). */
export class EventHeap<T extends Timed> {
  private items: T[] = [];

  /** Number of items. */
  get size(): number {
    return this.items.length;
  }

  /** The earliest item, not removed. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Add an item. */
  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  /** Remove and return the earliest item. */
  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }

  /** Remove every item. */
  clear(): void {
    this.items = [];
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
