// Parameter-walk rate (RFC 7401 §5.2.1) for a typical R1 and a typical REA: the WASM walk
// (one copy into WASM memory, static index, no allocation) vs the TypeScript DataView-free
// byte walk with a preallocated index (the baseline), plus full parsePacket for scale.
import { p256 } from "@noble/curves/nist.js";
import { EcdsaCurve, HiAlgorithm, PacketType } from "../src/wire/constants.ts";
import { emitPacket, type HipPacket, parsePacket } from "../src/wire/packet.ts";
import { encodeEcHostIdentity } from "../src/wire/params/hostid.ts";
import { initWireWasm, walkParamsTsInto, wireWasm } from "../src/wire/walk.ts";
import type { BenchRow } from "./run.ts";
import { opsPerSecond, rateRow } from "./util.ts";

const hit = (n: number) => new Uint8Array(16).fill(n);

function r1(): Uint8Array {
  const pub = p256.getPublicKey(new Uint8Array(32).fill(3), false); // 65-byte uncompressed point
  const pkt: HipPacket = {
    packetType: PacketType.R1,
    controls: 0,
    senderHit: hit(1),
    receiverHit: hit(0),
    params: [
      { kind: "R1_COUNTER", counter: 1n },
      { kind: "PUZZLE", k: 10, lifetime: 37, opaque: 0, randomI: new Uint8Array(48) },
      { kind: "DH_GROUP_LIST", groups: [7, 8] },
      { kind: "DIFFIE_HELLMAN", groupId: 7, publicValue: pub },
      { kind: "HIP_CIPHER", ciphers: [4, 2, 1] },
      { kind: "HOST_ID", algorithm: HiAlgorithm.ECDSA, hostIdentity: encodeEcHostIdentity(EcdsaCurve.NIST_P256, pub), diType: 0, domainIdentifier: new Uint8Array(0) },
      { kind: "HIT_SUITE_LIST", suites: [2] },
      { kind: "TRANSPORT_FORMAT_LIST", formats: [4095] },
      { kind: "ESP_TRANSFORM", suites: [13, 9, 8] },
      { kind: "HIP_SIGNATURE_2", algorithm: HiAlgorithm.ECDSA, signature: new Uint8Array(64) },
    ],
  };
  return emitPacket(pkt);
}

function rea(): Uint8Array {
  const info = (id: number, a: string, b: string) => ({
    kind: "REA_INFO" as const,
    interfaceId: id,
    currentSpiReverse: 1,
    currentSpi: 2,
    newSpi: 3,
    keymatIndex: 0,
    reaId: 9,
    addresses: [
      { lifetime: 600, ip: a, port: 10500, preferred: true },
      { lifetime: 600, ip: b, port: 10500, preferred: false },
    ],
  });
  return emitPacket({
    packetType: PacketType.REA,
    controls: 0,
    senderHit: hit(1),
    receiverHit: hit(2),
    params: [info(1, "192.0.2.1", "2001:db8::1"), info(2, "198.51.100.1", "2001:db8:1::1"), { kind: "HIP_SIGNATURE", algorithm: 7, signature: new Uint8Array(64) }, { kind: "HMAC", hmac: new Uint8Array(20) }],
  });
}

export async function run(argv: string[]): Promise<BenchRow[]> {
  const ms = argv.includes("--quick") ? 150 : 500;
  if (!initWireWasm()) throw new Error("WASM walk not available");
  const w = wireWasm()!;
  const out = new Int32Array(3 * 256);
  const rows: BenchRow[] = [];
  for (const [name, bytes] of [
    ["r1", r1()],
    ["rea", rea()],
  ] as const) {
    let sink = 0;
    const ts = opsPerSecond(() => {
      sink += walkParamsTsInto(bytes, 40, out);
    }, ms);
    const wasm = opsPerSecond(() => {
      sink += w.walkInto(bytes, 40);
    }, ms);
    w.walkInto(bytes, 40);
    const bare = opsPerSecond(() => {
      sink += w.rewalk(bytes.length, 40);
    }, ms);
    const full = opsPerSecond(() => {
      sink += parsePacket(bytes).ok ? 1 : 0;
    }, ms);
    if (sink === 0) throw new Error("walk produced nothing");
    const count = w.walkInto(bytes, 40);
    rows.push(rateRow(`walk.${name}.wasm`, "packets/s", wasm, ts, { bytes: bytes.length, params: count }));
    rows.push(rateRow(`walk.${name}.wasm_nocopy`, "packets/s", bare, ts, { bytes: bytes.length, params: count, note: "packet already in WASM memory" }));
    rows.push(rateRow(`walk.${name}.ts`, "packets/s", ts, null, { bytes: bytes.length, params: count }));
    rows.push(rateRow(`parse.${name}.full`, "packets/s", full, null, { bytes: bytes.length }));
  }
  return rows;
}
