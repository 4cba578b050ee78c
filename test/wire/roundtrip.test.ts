import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { emitPacket, emitPacketPrefix, type HipPacket, parsePacket } from "../../src/wire/packet.ts";
import { emitParam, emitParamValue, type KnownParamKind, PARAM_CODECS, parseParam } from "../../src/wire/params/index.ts";
import { PacketView } from "../../src/wire/view.ts";
import { PARAM_ARBS, packetArb } from "./arbitraries.ts";
import { bindWireWasm } from "../../src/wasm/wire-walk.ts";

bindWireWasm();

function strip(p: HipPacket) {
  const { offsets: _o, bytes: _b, checksum: _c, version: _v, res: _r, ...rest } = p;
  return rest;
}

test("every typed parameter: parse(emit(x)) == x", () => {
  for (const kind of Object.keys(PARAM_ARBS) as KnownParamKind[]) {
    const mm = kind === "REA_INFO" || kind === "AC_INFO" || kind === "FA_INFO" ? 6 : 2;
    fc.assert(
      fc.property(PARAM_ARBS[kind], (p) => {
        const v = emitParamValue(p);
        const r = parseParam(mm, PARAM_CODECS[kind].type, v, 44);
        assert.ok(r.ok, `${kind}: ${!r.ok && r.error.message}`);
        assert.deepEqual(r.value, structuredClone(p));
        const tlv = emitParam(p);
        assert.equal(tlv.length % 8, 0);
        assert.equal((tlv[2] << 8) | tlv[3], v.length);
      }),
      { seed: 7, numRuns: 150 },
    );
  }
});

test("random valid packets of every type round-trip (emit → parse, with checksum)", () => {
  fc.assert(
    fc.property(packetArb, fc.boolean(), (pkt, v6) => {
      const [src, dst] = v6 ? ["2001:db8::1", "2001:db8::2"] : ["192.0.2.1", "198.51.100.7"];
      const b = emitPacket(pkt, { src, dst });
      const r = parsePacket(b, { src, dst });
      assert.ok(r.ok, !r.ok ? r.error.message : "");
      assert.deepEqual(strip(r.value), structuredClone(strip(pkt)));
      assert.deepEqual(emitPacket(r.value, { src, dst }), b);
      // the prefix helpers agree: emitted prefix == received-bytes prefix
      const view = PacketView.parse(b);
      assert.ok(view.ok);
      for (let i = 0; i <= pkt.params.length; i++) assert.deepEqual(view.value.prefix(i), emitPacketPrefix(pkt, i));
    }),
    { seed: 11, numRuns: 3000 },
  );
});
