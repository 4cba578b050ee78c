// A UDP Transport for runtimes with datagram sockets (Node, Deno): the host binds one socket
// per listen locator (multi-homing) and can bind more later (moves). The socket binder comes
// from the runtime entry point (hipmm/node: node:dgram, hipmm/deno: Deno.listenDatagram).
import type { Locator } from "../core/types.ts";
import { RuntimeHost, type RuntimeHostOptions, resolveDataPlane } from "../runtime/host.ts";
import type { DatagramSocket } from "../transport/types.ts";
import { toHit, toLocator } from "./host.ts";
import type { ForwardingAgentAddress, LocatorLike, Transport } from "./types.ts";

export type Binder = (at: Locator) => Promise<DatagramSocket>;

/** Options of a UDP transport beyond the locators to bind. */
export interface UdpTransportOptions {
  /** ESP in the caller's thread ("inline", default) or batched in a Worker ("worker"). */
  dataPlane?: "inline" | "worker";
}

/** @internal FA address to the low-level FaClientOptions. */
export function faTarget(fa: ForwardingAgentAddress): { locator: Locator; hit?: Uint8Array } {
  return { locator: toLocator(fa.locator), ...(fa.hit !== undefined ? { hit: toHit(fa.hit) } : {}) };
}

/** @internal A UDP transport over `bind`. */
export function udpTransport(bind: Binder, listen: LocatorLike[], o: UdpTransportOptions = {}): Transport {
  if (listen.length === 0) throw new Error("udp(): give at least one locator to bind (\"127.0.0.1:0\")");
  return {
    kind: "udp",
    bind,
    async start(b) {
      const sockets: DatagramSocket[] = [];
      try {
        for (const l of listen) sockets.push(await bind(toLocator(l)));
        const opts: RuntimeHostOptions = {
          identity: b.identity,
          ...(b.hip ? { hip: b.hip } : {}),
          ...(b.mobility !== undefined ? { mobility: b.mobility } : {}),
          ...(b.rng ? { rng: b.rng } : {}),
          ...(b.fa ? { fa: { fas: [faTarget(b.fa)] } } : {}),
          ...(o.dataPlane === "worker" ? { dataPlane: "worker" as const } : {}),
        };
        return new RuntimeHost(sockets, await resolveDataPlane(opts));
      } catch (e) {
        await Promise.all(sockets.map((s) => s.close()));
        throw e;
      }
    },
  };
}
