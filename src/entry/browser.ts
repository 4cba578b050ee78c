// hipmm/browser: the high-level API over a tunnel to a Forwarding Agent (`tunnel()`:
// WebTransport datagrams when the browser has them and the FA answers, else a WebSocket), and
// the low-level tunnel host. Standard web APIs only; also fine in Deno and Web Workers.
import { tunnelTransport } from "../api/tunnel.ts";
import type { ForwardingAgentAddress, Transport } from "../api/types.ts";
import { faTarget } from "../api/udp.ts";
import { cryptoRng } from "../core/rng.ts";
import { openTunnel, type TunnelEndpoints } from "../runtime/browser.ts";
import { ReconnectingTunnel, type ReconnectOptions } from "../transport/reconnect.ts";

export * from "../index.ts";

/** Options of {@link tunnel}. */
export interface TunnelOptions extends TunnelEndpoints {
  /** The FA's UDP locator (where it leases from) and HIT if known. */
  fa: ForwardingAgentAddress;
  /** ESP on the page's thread ("inline", default) or batched in a module Worker ("worker"). */
  dataPlane?: "inline" | "worker";
  /** Wait this long for the lease (default 10 000 ms). */
  leaseTimeoutMs?: number;
  /** The tunnel comes back by itself after a drop (default: on; backoff knobs), or `false`
   *  (docs/PROTOCOL.md §9.y). `host.backend.on("path-changed", …)` reports each recovery. */
  reconnect?: ReconnectOptions | false;
}

/** Tunnel transport: the host leases a locator from the FA and peers reach it there. */
export function tunnel(o: TunnelOptions): Transport {
  const open = o.reconnect === false ? () => openTunnel(o) : () => ReconnectingTunnel.connect([{ fa: faTarget(o.fa), webTransport: o.webTransport, webSocket: o.webSocket }], cryptoRng, { attemptTimeoutMs: o.timeoutMs ?? 5000, ...o.reconnect });
  return tunnelTransport(o.fa, open, o.dataPlane === "worker" ? () => "worker" : undefined, o.leaseTimeoutMs);
}

export { connectTunnelHost, type ConnectTunnelHostOptions, openTunnel, startTunnelHost, TunnelHost, type TunnelEndpoints, type TunnelHostEvents, type TunnelHostOptions } from "../runtime/browser.ts";
export { type Tunnel, type TunnelKind, WsTunnel } from "../transport/tunnel.ts";
export { backoffDelay, ReconnectingTunnel, type ReconnectOptions, type TunnelEndpoint, type TunnelOpener, type TunnelUp } from "../transport/reconnect.ts";
export type { TunnelPathChanged } from "../runtime/tunnel-resume.ts";
export { WtTunnel, type WtTunnelOptions } from "../transport/wt-client.ts";
export { WorkerDataPlane, type WorkerDataPlaneOptions } from "../esp/remote.ts";
