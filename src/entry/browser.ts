// hipmm/browser: the high-level API over a tunnel to a Forwarding Agent (`tunnel()`:
// WebTransport datagrams when the browser has them and the FA answers, else a WebSocket), and
// the low-level tunnel host. Standard web APIs only; also fine in Deno and Web Workers.
import { tunnelTransport } from "../api/tunnel.ts";
import type { ForwardingAgentAddress, Transport } from "../api/types.ts";
import { openTunnel, type TunnelEndpoints } from "../runtime/browser.ts";

export * from "../index.ts";

/** Options of {@link tunnel}. */
export interface TunnelOptions extends TunnelEndpoints {
  /** The FA's UDP locator (where it leases from) and HIT if known. */
  fa: ForwardingAgentAddress;
  /** ESP on the page's thread ("inline", default) or batched in a module Worker ("worker"). */
  dataPlane?: "inline" | "worker";
  /** Wait this long for the lease (default 10 000 ms). */
  leaseTimeoutMs?: number;
}

/** Tunnel transport: the host leases a locator from the FA and peers reach it there. */
export function tunnel(o: TunnelOptions): Transport {
  return tunnelTransport(o.fa, () => openTunnel(o), o.dataPlane === "worker" ? () => "worker" : undefined, o.leaseTimeoutMs);
}

export { openTunnel, startTunnelHost, TunnelHost, type TunnelEndpoints, type TunnelHostEvents, type TunnelHostOptions } from "../runtime/browser.ts";
export { type Tunnel, type TunnelKind, WsTunnel } from "../transport/tunnel.ts";
export { WtTunnel, type WtTunnelOptions } from "../transport/wt-client.ts";
export { WorkerDataPlane, type WorkerDataPlaneOptions } from "../esp/remote.ts";
