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

export const KNOWN: Known[] = [
  { kind: "key-reuse", item: "item 1 (keys): REA/UPDATE KEYMAT index reused, no ivSeed" },
  { kind: "iv-reuse", item: "item 1 (keys): same (key, IV) from two SAs counting from 1" },
  { kind: "throw", detail: /RangeError/, item: "item 2 (amp): emitPacket throws on an I2 grown by a padded R1" },
  { kind: "association-replaced", item: "item 4 (keys): replayed I2 replaces a live association" },
  { kind: "honest-stalled", item: "item 4 (keys): follows a replaced association" },
  { kind: "data-to-unverified", item: "item 4 (keys): follows a replaced association (peer moved to the replayer's address)" },
  { kind: "fa-self-loop", item: "item 6 (fa): the FA sends to its own locator (answers a FAQ spoofed from its own address; before the fa merge: relay loops)" },
  { kind: "bounds", detail: /REA interfaces|addresses|probe-budget/, item: "item 5 (amp): REA interface / address / probe-budget limits" },
];

export function knownItem(v: Violation): string | undefined {
  return KNOWN.find((k) => k.kind === v.kind && (!k.detail || k.detail.test(v.detail)))?.item;
}
