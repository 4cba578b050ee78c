import assert from "node:assert/strict";
import { test } from "node:test";
import { readTlv, tlvBytes, tlvIndex, tlvTotal } from "../../src/wire/tlv.ts";

test("readTlv / tlvBytes read one TLV with the walk's padding rule (RFC 7401 §5.2.1)", () => {
  // Type 0x0101, Length 5, value 1..5, 7 bytes of padding (4 + 5 -> 16), then a second TLV.
  const b = new Uint8Array([1, 1, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(tlvTotal(5), 16);
  assert.equal(tlvTotal(4), 8);
  assert.deepEqual(readTlv(b, 0), { type: 0x101, length: 5, valueOffset: 4, end: 16 });
  assert.deepEqual([...(tlvBytes(b, 0) ?? [])], [...b.subarray(0, 16)]);
  assert.deepEqual(readTlv(b, 16), { type: 0x200, length: 0, valueOffset: 20, end: 24 });
  assert.equal(readTlv(b, 22), undefined, "header runs past the end");
  assert.equal(readTlv(new Uint8Array([0, 1, 0, 9, 0]), 0), undefined, "value runs past the end");
  assert.equal(tlvBytes(b.subarray(0, 10), 0), undefined, "padding runs past the end");
  const idx = tlvIndex(b, 0);
  assert.equal(idx?.count, 2);
  assert.equal(idx?.end(0), 16);
  assert.equal(tlvIndex(new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]), 0), undefined, "decreasing types fail the walk");
});
