// Parameter-walk rate (RFC 7401 §5.2.1) for a typical R1 and a typical REA, all rows in packets/s
// with the TypeScript byte walk into a preallocated index (same triples, same checks) as the
// baseline: WASM single packet (one copy + one call), WASM batches of 64 (copied in, or already in
// WASM memory; one call each), the TS walk over the same batch, plus full parsePacket as the
// receive path runs it (TS walk; issue 12: ≤ 2 µs for R1 and REA).
import { p256 } from "@noble/curves/nist.js";
import { EcdsaCurve, HiAlgorithm, PacketType } from "../src/wire/constants.ts";
import { emitPacket, type HipPacket, parsePacket } from "../src/wire/packet.ts";
import { encodeEcHostIdentity } from "../src/wire/params/hostid.ts";
import { TsBatchWalker, walkParamsTsInto, wireWasm } from "../src/wire/walk.ts";
import type { BenchRow } from "./run.ts";
import { opsPerSecond, rateRow } from "./util.ts";
import { bindWireWasm } from "../src/wasm/wire-walk.ts";

const hit = (n: number) => new Uint8Array(16).fill(n);

export function r1(): Uint8Array {
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

export function rea(): Uint8Array {
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

const BATCH = 64;

/** parsePacket as the receive path runs it (TS walk: measured before this bench binds the WASM
 * walk, which then stays bound for the process), wall clock and CPU per parse. */
function fullParseRows(ms: number): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [name, bytes] of [
    ["r1", r1()],
    ["rea", rea()],
  ] as const) {
    let sink = 0;
    const full = opsPerSecond(() => {
      sink += parsePacket(bytes).ok ? 1 : 0;
    }, ms);
    // CPU time per parse as well (best of 7 × 20,000, ≈ 40 ms each, young-generation GCs
    // included): on a shared machine wall-clock rates measure the load.
    let cpuUs = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 7; r++) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < 20_000; i++) sink += parsePacket(bytes).ok ? 1 : 0;
      const cu = process.cpuUsage(c0);
      cpuUs = Math.min(cpuUs, (cu.user + cu.system) / 20_000);
    }
    if (sink === 0) throw new Error("parse failed");
    rows.push(rateRow(`parse.${name}.full`, "packets/s", full, null, { bytes: bytes.length, cpuUsPerParse: round3(cpuUs), limitUs: 2, walk: "TS (the receive path's)" }));
  }
  return rows;
}

export async function run(argv: string[]): Promise<BenchRow[]> {
  const ms = argv.includes("--quick") ? 150 : 400;
  if (wireWasm() !== undefined) throw new Error("the WASM walk is bound already: the full-parse rows would not measure the receive path");
  const parseRows = fullParseRows(ms);
  if (!bindWireWasm()) throw new Error("WASM walk not available");
  const w = wireWasm()!;
  const out = new Int32Array(3 * 256);
  const tsBatch = new TsBatchWalker();
  const rows: BenchRow[] = [];
  for (const [name, bytes] of [
    ["r1", r1()],
    ["rea", rea()],
  ] as const) {
    // 64 distinct copies, as a receive batch would hold them.
    const batch = Array.from({ length: BATCH }, () => bytes.slice());
    // The same 64 packets already in WASM memory (a receiver writing straight into batchInput).
    const laid = w.walkBatch(batch, 40);
    if (laid.size !== BATCH) throw new Error("batch did not fit");
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
    const tsB =
      BATCH *
      opsPerSecond(() => {
        const r = tsBatch.walkBatch(batch, 40);
        sink += r.size + r.status(BATCH - 1);
      }, ms);
    const wasmB =
      BATCH *
      opsPerSecond(() => {
        const r = w.walkBatch(batch, 40);
        sink += r.size + r.status(BATCH - 1);
      }, ms);
    const inPlace =
      BATCH *
      opsPerSecond(() => {
        const r = w.walkBatchDescribed(BATCH, 40);
        sink += r.size + r.status(BATCH - 1);
      }, ms);
    if (sink === 0) throw new Error("walk produced nothing");
    const count = w.walkInto(bytes, 40);
    const r = w.walkBatch(batch, 40);
    for (let i = 0; i < BATCH; i++) if (r.status(i) !== count || tsBatch.walkBatch(batch, 40).status(i) !== count) throw new Error("walks disagree");
    const info = { bytes: bytes.length, params: count };
    rows.push(rateRow(`walk.${name}.wasm`, "packets/s", wasm, ts, info));
    rows.push(rateRow(`walk.${name}.wasm_batch64`, "packets/s", wasmB, ts, { ...info, vs_ts_batch64: round3(wasmB / tsB), note: "64 packets copied in, one WASM call" }));
    rows.push(
      rateRow(`walk.${name}.wasm_batch64_inplace`, "packets/s", inPlace, ts, { ...info, vs_ts_batch64: round3(inPlace / tsB), note: "64 packets already in WASM memory, one call" }),
    );
    rows.push(rateRow(`walk.${name}.wasm_nocopy`, "packets/s", bare, ts, { ...info, note: "one packet already in WASM memory" }));
    rows.push(rateRow(`walk.${name}.ts`, "packets/s", ts, null, info));
    rows.push(rateRow(`walk.${name}.ts_batch64`, "packets/s", tsB, ts, { ...info, note: "TS walk, same batch output (records + shared index)" }));
  }
  return [...rows, ...parseRows];
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
