// ≥ 200,000 random and mutated inputs per run through every parser: no throw, no hang, errors
// are well-formed values, and the WASM and TypeScript walks agree on every input.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { WireErrorCode as E, WireErrorCode } from "../../src/wire/error.ts";
import { classifyDatagram, frameHip } from "../../src/wire/framing.ts";
import { emitPacket, parsePacket } from "../../src/wire/packet.ts";
import { emitTunnelFrame, parseTunnelFrame } from "../../src/wire/tunnel.ts";
import { walkParams, walkParamsTs } from "../../src/wire/walk.ts";
import { corpus, mutate, mutation } from "./mutate.ts";
import { bindWireWasm } from "../../src/wasm/wire-walk.ts";

assert.ok(bindWireWasm(), "WASM walk must load");
const CODES = new Set<string>(Object.values(WireErrorCode));

const seen = new Map<string, number>();

function checkAll(b: Uint8Array): void {
  const p = parsePacket(b);
  const key = p.ok ? "ok" : p.error.code;
  seen.set(key, (seen.get(key) ?? 0) + 1);
  if (!p.ok) {
    assert.ok(CODES.has(p.error.code), p.error.code);
    assert.ok(p.error.offset >= 0 && p.error.offset <= b.length, `offset ${p.error.offset}`);
  } else {
    // a packet we accept re-emits to something we parse to the same representation
    const again = parsePacket(emitPacket(p.value));
    assert.ok(again.ok);
    assert.deepEqual(again.value.params, p.value.params);
  }
  for (const start of [40, b.length & 7]) {
    const w = walkParams(b, start);
    const t = walkParamsTs(b, start);
    assert.deepEqual(w, t);
  }
  const d = classifyDatagram(b);
  assert.ok(d.ok || CODES.has(d.error.code));
  const f = parseTunnelFrame(b);
  assert.ok(f.ok || CODES.has(f.error.code));
  if (f.ok) assert.deepEqual(parseTunnelFrame(emitTunnelFrame(f.value)), f);
}

test("mutated valid packets (flips, sets, truncations, splices): 120k", () => {
  fc.assert(
    fc.property(fc.nat(corpus.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, ms) => checkAll(mutate(corpus[i], ms))),
    { seed: 1, numRuns: 120_000 },
  );
  // the mutations must reach deep into the parser, not just bounce off the header
  for (const code of ["ok", E.TRUNCATED, E.TRAILING_BYTES, E.PARAM_OVERRUN, E.PARAM_ORDER, E.PARAM_LENGTH, E.BAD_VERSION]) {
    assert.ok((seen.get(code) ?? 0) > 100, `${code}: ${seen.get(code)} in ${JSON.stringify([...seen])}`);
  }
});

test("random bytes, random bytes behind a plausible header, framed datagrams: 90k", () => {
  const header = fc.tuple(fc.nat(255), fc.nat(255), fc.uint8Array({ maxLength: 300 })).map(([hl, t, rest]) => {
    const b = new Uint8Array(40 + rest.length);
    b[0] = 59;
    b[1] = hl % 40;
    b[2] = t & 0x7f;
    b[3] = 0x21;
    b.set(rest, 40);
    return b;
  });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), checkAll), { seed: 2, numRuns: 40_000 });
  fc.assert(fc.property(header, checkAll), { seed: 3, numRuns: 40_000 });
  fc.assert(
    fc.property(fc.nat(corpus.length - 1), (i) => {
      const d = classifyDatagram(frameHip(corpus[i]));
      assert.ok(d.ok && d.value.kind === "hip");
      assert.ok(parsePacket(d.value.packet).ok);
    }),
    { seed: 4, numRuns: 10_000 },
  );
});
