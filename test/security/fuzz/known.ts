// Violations the stateful fuzzer finds on main that other issue-9 work is fixing in parallel
// (ownership in /work/briefs/common.md). The test fails on anything else at once; these are
// reported and checked by a `todo` test until the fixes are merged (then remove the entry).
import type { Violation } from "./fuzzer.ts";

export interface Known {
  kind: string;
  detail?: RegExp;
  /** Issue 9 item and who is fixing it. */
  item: string;
}

// Every issue-9 bug the fuzzer found (key and IV reuse, a RangeError after a padded R1, REA interface
// and address bounds, an FA answering a FAQ spoofed from its own locator) is fixed: none is tolerated.
export const KNOWN: Known[] = [];

export function knownItem(v: Violation): string | undefined {
  return KNOWN.find((k) => k.kind === v.kind && (!k.detail || k.detail.test(v.detail)))?.item;
}
