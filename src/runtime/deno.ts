// Deno host runtime: RuntimeHost on Deno.listenDatagram sockets (run deno with
// --unstable-net --allow-net). Same API as runtime/node.ts.
import type { Locator } from "../core/types.ts";
import { parseLocator } from "../transport/types.ts";
import { bindDenoUdp, type DenoUdpSocket } from "../transport/udp-deno.ts";
import { RuntimeHost, type RuntimeHostOptions, resolveDataPlane } from "./host.ts";
import { useEmbeddedWasm } from "../wasm/loader.ts";

// Not in a hipmm/worker bundle: the embedded WASM module is the default DataPlane (src/wasm/loader.ts).
useEmbeddedWasm();

/** Options of {@link startDenoHost}. */
export interface DenoHostOptions extends RuntimeHostOptions {
  /** Local locators to bind ("127.0.0.1:10500", "[::1]:0", or Locator objects; port 0 = any). */
  listen: readonly (string | Locator)[];
}

/** A RuntimeHost on Deno datagram sockets, one per `listen` locator (needs --unstable-net). */
export async function startDenoHost(opts: DenoHostOptions): Promise<RuntimeHost> {
  const sockets: DenoUdpSocket[] = [];
  try {
    for (const l of opts.listen) {
      const loc = typeof l === "string" ? parseLocator(l) : l;
      if (!loc) throw new Error(`bad listen address '${String(l)}' (want IP:PORT or [IPv6]:PORT)`);
      sockets.push(bindDenoUdp(loc.ip, loc.port));
    }
    // `dataPlane: "worker"`: the ESP Worker starts here (the host closes it).
    return new RuntimeHost(sockets, await resolveDataPlane(opts));
  } catch (e) {
    await Promise.all(sockets.map((s) => s.close()));
    throw e;
  }
}

export { RuntimeHost };
