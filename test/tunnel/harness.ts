// Shared pieces of the tunnel tests: a Node UDP HIP host that echoes every datagram back
// (prefixed "echo:"), a free UDP port, and text helpers.
import { createSocket } from "node:dgram";
import { cryptoRng } from "../../src/core/rng.ts";
import type { Locator } from "../../src/core/types.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { type MessageEvent, RuntimeHost } from "../../src/runtime/host.ts";
import { startNodeHost } from "../../src/runtime/node.ts";

export const text = (b: Uint8Array) => new TextDecoder().decode(b);
export const bytes = (s: string) => new TextEncoder().encode(s);

export async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

export interface EchoPeer {
  host: RuntimeHost;
  locator: Locator;
  /** Datagrams received (before echoing) and where the association's peer was seen. */
  got: MessageEvent[];
  established: { peer: Locator; peerHit: Uint8Array }[];
}

/** A UDP HIP host on 127.0.0.1:0 that answers each datagram with "echo:" + data. */
export async function startEchoPeer(): Promise<EchoPeer> {
  const host = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: ["127.0.0.1:0"], hip: { puzzleK: 4 } });
  const peer: EchoPeer = { host, locator: host.locals[0], got: [], established: [] };
  host.on("established", (ev) => peer.established.push({ peer: ev.peer, peerHit: ev.peerHit }));
  host.on("message", (m) => {
    peer.got.push(m);
    host.send(m.peerHit, m.dstPort, m.srcPort, bytes(`echo:${text(m.data)}`));
  });
  return peer;
}
