// Finds the large collections (Map, Set, Array) reachable from an object: a test for state that
// grows with what a host has seen (moves, peers) rather than with what it holds now.
// Byte arrays are skipped; maps and arrays are sampled (their first entries) below the top.

export interface Collection {
  /** Property path from the root, e.g. "host.extensions[0].bound[…].session.peerAcIds". */
  path: string;
  size: number;
}

/** Every Map / Set / Array with at least `min` entries reachable from `root` (depth-bounded). */
export function largeCollections(root: unknown, min: number, maxDepth = 14): Collection[] {
  const out: Collection[] = [];
  const seen = new WeakSet<object>();
  const walk = (o: unknown, path: string, depth: number): void => {
    if (!o || typeof o !== "object" || seen.has(o) || depth > maxDepth) return;
    seen.add(o);
    if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer || (typeof WebAssembly !== "undefined" && o instanceof WebAssembly.Memory)) return;
    if (o instanceof Map) {
      if (o.size >= min) out.push({ path, size: o.size });
      let k = 0;
      for (const [key, v] of o) {
        if (k++ >= 8) break;
        walk(v, `${path}[${String(key).slice(0, 12)}]`, depth + 1);
      }
      return;
    }
    if (o instanceof Set) {
      if (o.size >= min) out.push({ path, size: o.size });
      return;
    }
    if (Array.isArray(o)) {
      if (o.length >= min) out.push({ path, size: o.length });
      for (let i = 0; i < Math.min(8, o.length); i++) walk(o[i], `${path}[${i}]`, depth + 1);
      return;
    }
    for (const k of Object.keys(o)) walk((o as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1);
  };
  walk(root, "", 0);
  return out;
}
