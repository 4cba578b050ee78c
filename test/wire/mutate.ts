// Shared fuzz inputs for the wire tests: a seeded corpus of valid emitted packets and mutations
// (bit flips, byte sets, truncations, splices with another corpus packet).
import fc from "fast-check";
import { emitPacket } from "../../src/wire/packet.ts";
import { packetArb } from "./arbitraries.ts";

export const corpus: Uint8Array[] = fc.sample(packetArb, { seed: 5, numRuns: 300 }).map((p) => emitPacket(p));

export type Mutation =
  | { op: "flip"; at: number; bit: number }
  | { op: "set"; at: number; v: number }
  | { op: "cut"; at: number }
  | { op: "splice"; other: number; at: number; from: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(2100), bit: fc.nat(7) }),
  fc.record({ op: fc.constant("set" as const), at: fc.nat(2100), v: fc.nat(255) }),
  fc.record({ op: fc.constant("cut" as const), at: fc.nat(2100) }),
  fc.record({ op: fc.constant("splice" as const), other: fc.nat(corpus.length - 1), at: fc.nat(2100), from: fc.nat(2100) }),
);

export function mutate(base: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = base.slice();
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % (b.length + 1);
    if (m.op === "flip" && at < b.length) b[at] ^= 1 << m.bit;
    else if (m.op === "set" && at < b.length) b[at] = m.v;
    else if (m.op === "cut") b = b.slice(0, at);
    else if (m.op === "splice") {
      const o = corpus[m.other];
      const from = m.from % (o.length + 1);
      const n = new Uint8Array(at + o.length - from);
      n.set(b.subarray(0, at));
      n.set(o.subarray(from), at);
      b = n;
    }
  }
  return b;
}

/** A corpus packet with 0-4 mutations (0 keeps it valid). */
export const mutatedPacket: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.nat(corpus.length - 1), fc.array(mutation, { maxLength: 4 }))
  .map(([i, ms]) => mutate(corpus[i], ms));
