// A tunnel Transport for runtimes without UDP (browser pages, Web Workers, Cloudflare
// Workers): the host's only "socket" is a tunnel to a Forwarding Agent, and peers see it at
// the locator it leases there (docs/PROTOCOL.md §11.x). The tunnel opener comes from the
// runtime entry point (hipmm/browser: WebTransport or WebSocket; hipmm/worker: fetch upgrade).
import type { DataPlane } from "../esp/dataplane.ts";
import { startTunnelHost, type TunnelHost } from "../runtime/browser.ts";
import type { Tunnel } from "../transport/tunnel.ts";
import type { ForwardingAgentAddress, Transport } from "./types.ts";
import { faTarget } from "./udp.ts";

/** @internal A tunnel transport: `open` makes the tunnel, `dataPlane` the ESP engine. */
export function tunnelTransport(
  fa: ForwardingAgentAddress,
  open: () => Promise<Tunnel>,
  dataPlane?: () => DataPlane | "worker",
  leaseTimeoutMs?: number,
): Transport {
  return {
    kind: "tunnel",
    async start(b): Promise<TunnelHost> {
      if (b.mobility === false) throw new Error("tunnel hosts need mobility (the leased locator is an FA interface, draft §6.4)");
      if (b.fa) throw new TypeError("createHost: `fa` is for udp() transports; a tunnel leases from the FA its tunnel() / workerTunnel() names");
      const tunnel = await open();
      try {
        return await startTunnelHost({
          identity: b.identity,
          tunnel,
          fa: faTarget(fa),
          ...(b.hip ? { hip: b.hip } : {}),
          ...(b.mobility ? { mobility: b.mobility } : {}),
          ...(b.rng ? { rng: b.rng } : {}),
          ...(b.rekey ? { rekey: b.rekey } : {}),
          ...(b.sendQueue ? { sendQueue: b.sendQueue } : {}),
          ...(dataPlane ? { dataPlane: dataPlane() } : {}),
          ...(leaseTimeoutMs !== undefined ? { leaseTimeoutMs } : {}),
        });
      } catch (e) {
        await tunnel.close();
        throw e;
      }
    },
  };
}
