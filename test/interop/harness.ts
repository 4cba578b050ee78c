// Glue between the independent peer (test/interop/peer, no src/ imports) and our HostStack,
// driven sans-I/O by passing bytes in memory.
import { cryptoRng } from "../../src/core/rng.ts";
import type { Locator } from "../../src/core/types.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { HipHostConfig } from "../../src/hip/types.ts";
import { HostStack, type StackEvent } from "../../src/runtime/stack.ts";
import { InteropPeer, type PeerOptions } from "./peer/peer.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

export const L_OURS: Locator = { ip: "192.0.2.10", port: 10500 };
export const L_PEER: Locator = { ip: "198.51.100.20", port: 10500 };

export interface Pair {
  ours: HostStack;
  peer: InteropPeer;
  events: StackEvent[];
  /** HIP packets our stack sent, by type name (HIP packet without the zero marker). */
  oursSent: { type: number; data: Uint8Array }[];
  now: number;
}

export function makePair(ourCfg: Partial<HipHostConfig> = {}, peerCfg: Partial<PeerOptions> = {}): Pair {
  const events: StackEvent[] = [];
  const ours = new HostStack({ host: { identity: HostIdentity.generate(cryptoRng), rng: cryptoRng, ...ourCfg }, onEvent: (e) => events.push(e) });
  const peer = new InteropPeer({ locator: L_PEER, expectChecksum: ourCfg.checksum === "pseudo" ? "pseudo" : "zero", ...peerCfg });
  return { ours, peer, events, oursSent: [], now: 1000 };
}

/** Deliver datagrams back and forth until both sides are quiet. */
export function pump(p: Pair, toOurs: Uint8Array[] = []): Uint8Array[] {
  const espToPeer: Uint8Array[] = [];
  let inbox = toOurs;
  for (let round = 0; round < 10; round++) {
    for (const d of inbox) p.ours.handleDatagram(p.now, d, L_PEER, L_OURS);
    inbox = [];
    for (let t = p.ours.pollTransmit(); t; t = p.ours.pollTransmit()) {
      const isHip = t.data.length >= 4 && t.data[0] === 0 && t.data[1] === 0 && t.data[2] === 0 && t.data[3] === 0;
      if (!isHip) {
        espToPeer.push(t.data);
        continue;
      }
      p.oursSent.push({ type: t.data[4 + 2] & 0x7f, data: t.data.slice(4) });
      for (const r of p.peer.handle(t.data, L_OURS)) inbox.push(r.data);
    }
    if (inbox.length === 0) break;
    p.now += 10;
  }
  return espToPeer;
}
