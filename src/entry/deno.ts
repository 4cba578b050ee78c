// hipmm/deno: the high-level API with Deno UDP sockets (`udp()`; run deno with --unstable-net
// --allow-net), the low-level Deno host, and the Deno Forwarding Agent (UDP, WebSocket and
// WebTransport tunnels; `runDenoFa(Deno)` is its command line).
import { udpTransport, type UdpTransportOptions } from "../api/udp.ts";
import type { LocatorLike, Transport } from "../api/types.ts";
import { bindDenoUdp } from "../transport/udp-deno.ts";

export * from "../index.ts";
export type { UdpTransportOptions } from "../api/udp.ts";

/** UDP transport: one Deno datagram socket per locator ("127.0.0.1:0"); several = multi-homed. */
export function udp(listen: LocatorLike | LocatorLike[], opts: UdpTransportOptions = {}): Transport {
  return udpTransport(async (at) => bindDenoUdp(at.ip, at.port), Array.isArray(listen) ? listen : [listen], opts);
}

export { startDenoHost, type DenoHostOptions } from "../runtime/deno.ts";
export { RuntimeHost, type RuntimeHostOptions, type RuntimeHostEvents } from "../runtime/host.ts";
export { bindDenoUdp, DenoUdpSocket } from "../transport/udp-deno.ts";
export { DenoFaServer, type DenoFaOptions } from "../fa/server/deno.ts";
export { type DenoCli, main as runDenoFa } from "../cli/fa-deno.ts";
