// Shared pieces of the security tests: real hosts, real packets, an attacker's hand-made packets.
import type { Locator } from "../../src/core/types.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { authenticate } from "../../src/hip/auth.ts";
import { HipHost } from "../../src/hip/host.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { HipHostConfig } from "../../src/hip/types.ts";
import { classifyDatagram } from "../../src/wire/framing.ts";
import { emitPacket, type HipPacket, parsePacket } from "../../src/wire/packet.ts";
import { sha384 } from "@noble/hashes/sha2.js";

export const L = (ip: string, port = 10500): Locator => ({ ip, port });

export function host(seed: number, cfg: Partial<HipHostConfig> = {}): HipHost {
  const rng = new SeededRng(seed);
  return new HipHost({ identity: HostIdentity.generate(rng, "P-256"), rng, checksum: "zero", puzzleK: 1, ...cfg });
}

/** Every queued transmit of `h` as HIP packets (marker removed). */
export function drain(h: HipHost): { to: Locator; hip: Uint8Array }[] {
  const out: { to: Locator; hip: Uint8Array }[] = [];
  for (let t = h.pollTransmit(); t; t = h.pollTransmit()) {
    const c = classifyDatagram(t.data);
    if (c.ok && c.value.kind === "hip") out.push({ to: t.to, hip: c.value.packet.slice() });
  }
  return out;
}

/** Deliver everything between two hosts until quiet (no timers). */
export function pump(now: number, a: { h: HipHost; loc: Locator }, b: { h: HipHost; loc: Locator }, rounds = 10): void {
  for (let i = 0; i < rounds; i++) {
    const ta = drain(a.h);
    const tb = drain(b.h);
    if (ta.length + tb.length === 0) return;
    for (const t of ta) b.h.handleDatagram(now, t.hip, a.loc, b.loc);
    for (const t of tb) a.h.handleDatagram(now, t.hip, b.loc, a.loc);
  }
}

/** Two associated hosts (A initiator, B responder). */
export function associated(seedA: number, seedB: number, cfgB: Partial<HipHostConfig> = {}) {
  const a = { h: host(seedA), loc: L("192.0.2.1") };
  const b = { h: host(seedB, cfgB), loc: L("192.0.2.2") };
  a.h.connect(0, b.loc, b.h.hit, a.loc);
  pump(0, a, b);
  return { a, b };
}

export function parse(hip: Uint8Array): HipPacket {
  const p = parsePacket(hip);
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
}

/** `identity.sign` counted (the real signer, instrumented). */
export function countSignatures(id: HostIdentity): { n: number } {
  const c = { n: 0 };
  const orig = id.sign.bind(id);
  (id as { sign: (d: Uint8Array) => Uint8Array }).sign = (d: Uint8Array) => {
    c.n++;
    return orig(d);
  };
  return c;
}

/** A signed packet made by `signer` (HIP_SIGNATURE over it), emitted. */
export function signedBy(signer: HostIdentity, pkt: HipPacket): Uint8Array {
  return emitPacket(authenticate(pkt, { hash: sha384, signer }));
}
