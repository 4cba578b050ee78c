// Interop: our HostStack (HipHost + ESP data plane) against the independent RFC 7401/7402 peer,
// in memory (sans-I/O, bytes passed by hand). Every packet we send passes the peer's strict
// checks (header, parameter set and order, lengths, checksum over the outer addresses,
// signatures, MACs, puzzle, KEYMAT-derived keys).
import assert from "node:assert/strict";
import { test } from "node:test";
import { hex } from "./peer/bytes.ts";
import { makePair, L_OURS, pump } from "./harness.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function espRoundTrip(p: ReturnType<typeof makePair>) {
  // peer → ours
  const esp = p.peer.sendData(5000, 6000, enc("from the independent peer"));
  pump(p, [esp]);
  const msg = p.events.find((e) => e.type === "message");
  assert.ok(msg && msg.type === "message", `our stack delivered no message; events: ${p.events.map((e) => e.type + ("reason" in e ? `:${e.reason}` : "")).join(", ")}`);
  assert.equal(dec(msg.data), "from the independent peer");
  assert.deepEqual([msg.srcPort, msg.dstPort], [5000, 6000]);
  assert.equal(hex(msg.peerHit), hex(p.peer.hit));
  // ours → peer
  assert.equal(p.ours.send(p.peer.hit, 6000, 5000, enc("from hipmm")), "sent");
  const out = pump(p);
  assert.equal(out.length, 1, "one ESP datagram from our stack");
  const got = p.peer.receiveData(out[0]);
  assert.ok(typeof got !== "string", `peer could not open our ESP: ${got}`);
  assert.equal(dec(got.data), "from hipmm");
  assert.deepEqual([got.sport, got.dport], [6000, 5000]);
  assert.equal(got.seq, 1, "first outbound ESP sequence number is 1 (RFC 4303 §3.3.3)");
}

const CASES = [
  { name: "suite 13 (AES-GCM-16), HIP_CIPHER AES-128-CBC", ours: {}, peer: { espSuites: [13, 1], hipCiphers: [2, 1] } },
  { name: "suite 1 (AES-128-CBC + HMAC-SHA1-96), HIP_CIPHER AES-128-CBC, DH group 7 only", ours: { dhGroups: [7] }, peer: { espSuites: [1], hipCiphers: [2], dhGroups: [7] } },
  { name: "HIP_CIPHER NULL, DH group 8 preferred", ours: { hipCiphers: [1, 2] }, peer: { espSuites: [13], hipCiphers: [1], dhGroups: [8, 7] } },
  { name: "checksum \"pseudo\" (RFC 7401 §5.1.1 sum over the outer addresses)", ours: { checksum: "pseudo" as const }, peer: { espSuites: [13] } },
];

for (const c of CASES) {
  test(`(a) ours = Responder, peer = Initiator: ${c.name}`, () => {
    const p = makePair({ puzzleK: 6, ...c.ours }, c.peer);
    pump(p, [p.peer.i1(L_OURS, p.ours.hit).data]);
    assert.deepEqual(p.peer.violations, [], "strict checks on our R1 / R2");
    assert.deepEqual(p.oursSent.map((s) => s.type), [2, 4], "we answered I1 with R1 and I2 with R2");
    assert.ok(p.peer.established, "peer established after our R2");
    assert.ok(p.events.some((e) => e.type === "sa-install"));
    espRoundTrip(p);
    assert.ok(p.events.some((e) => e.type === "established"), "ours established after ESP arrived");
    assert.deepEqual(p.peer.violations, []);
  });

  test(`(b) ours = Initiator, peer = Responder: ${c.name}`, () => {
    const p = makePair(c.ours, { ...c.peer, r1Counter: 42n, puzzleK: 5 });
    p.ours.connect(p.now, { ip: "198.51.100.20", port: 10500 }, p.peer.hit, L_OURS);
    pump(p);
    assert.deepEqual(p.peer.violations, [], "strict checks on our I1 / I2");
    assert.deepEqual(p.oursSent.map((s) => s.type), [1, 3]);
    assert.ok(p.events.some((e) => e.type === "established"), `ours not established: ${p.events.map((e) => e.type + ("reason" in e ? `:${e.reason}` : "")).join(", ")}`);
    assert.equal(p.peer.assoc?.state, "R2-SENT");
    espRoundTrip(p);
    assert.equal(p.peer.assoc?.state, "ESTABLISHED");
  });
}

test("(a') opportunistic I1 (NULL Receiver's HIT) to our Responder", () => {
  const p = makePair({ puzzleK: 3 }, {});
  pump(p, [p.peer.i1(L_OURS).data]);
  assert.deepEqual(p.peer.violations, []);
  assert.ok(p.peer.established);
  assert.equal(hex(p.peer.assoc!.peerHit), hex(p.ours.hit));
  espRoundTrip(p);
});

test("(b') our I2 carries HOST_ID in the clear when encryptHostId is off", () => {
  const p = makePair({ encryptHostId: false }, { puzzleK: 2 });
  p.ours.connect(p.now, { ip: "198.51.100.20", port: 10500 }, p.peer.hit, L_OURS);
  pump(p);
  assert.deepEqual(p.peer.violations, []);
  assert.ok(p.events.some((e) => e.type === "established"));
});
