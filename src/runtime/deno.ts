// Deno host runtime: RuntimeHost on Deno.listenDatagram sockets (run deno with
// --unstable-net --allow-net). Same API as runtime/node.ts.
import type { Locator } from "../core/types.ts";
import { parseListen } from "../transport/types.ts";
import type { WorkerDataPlane } from "../esp/remote.ts";
import type { DatagramSocket } from "../transport/types.ts";
import { bindDenoUdp } from "../transport/udp-deno.ts";
import { newRuntimeHost, RuntimeHost, type RuntimeHostOptions, resolveDataPlane } from "./host.ts";
import { WorkerIo } from "./worker-io.ts";
import { useEmbeddedWasm } from "../wasm/loader.ts";

// Not in a hipmm/worker bundle: the embedded WASM module is the default DataPlane (src/wasm/loader.ts).
useEmbeddedWasm();

/** Options of {@link startDenoHost}. */
export interface DenoHostOptions extends RuntimeHostOptions {
  /** Local locators to bind ("127.0.0.1:10500", "[::1]:0", or Locator objects; port 0 = any). */
  listen: readonly (string | Locator)[];
}

/**
 * A RuntimeHost on Deno datagram sockets, one per `listen` locator (needs --unstable-net). With
 * `dataPlane: "worker-io"` the ESP Worker binds them (io-worker-deno.ts), as startNodeHost does.
 */
export async function startDenoHost(opts: DenoHostOptions): Promise<RuntimeHost> {
  const sockets: DatagramSocket[] = [];
  let io: { dp: WorkerDataPlane; io: WorkerIo } | undefined;
  try {
    const locs = parseListen(opts.listen);
    if (opts.dataPlane === "worker-io") {
      io = await WorkerIo.start(opts.hip?.limits);
      for (const loc of locs) sockets.push(await io.io.bind(loc.ip, loc.port));
      return newRuntimeHost(sockets, { ...opts, dataPlane: io.dp, closeDataPlane: true, workerIo: io.io });
    }
    for (const loc of locs) sockets.push(bindDenoUdp(loc.ip, loc.port));
    // `dataPlane: "worker"`: the ESP Worker starts here (the host closes it).
    return newRuntimeHost(sockets, await resolveDataPlane(opts));
  } catch (e) {
    await Promise.all(sockets.map((s) => s.close()));
    io?.io.close();
    await io?.dp.close();
    throw e;
  }
}

export { RuntimeHost };
