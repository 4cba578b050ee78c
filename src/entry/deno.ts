// hipmm/deno: the high-level API with Deno UDP sockets (`udp()`; run deno with --unstable-net
// --allow-net) and the Deno Forwarding Agent's command line (`runDenoFa`). Lower layers:
// hipmm/runtime-deno (startDenoHost, sockets), hipmm/fa (DenoFaServer).
import { udpTransport, type UdpTransportOptions } from "../api/udp.ts";
import type { LocatorLike, Transport } from "../api/types.ts";
import { bindDenoUdp } from "../transport/udp-deno.ts";
import { followDenoInterfaces } from "../runtime/deno-follow.ts";
import { useEmbeddedWasm } from "../wasm/loader.ts";

// This entry embeds the WASM module: the default of every DataPlane made without one (src/wasm/loader.ts).
useEmbeddedWasm();

export * from "../index.ts";
export type { FollowInterfacesOptions, UdpTransportOptions } from "../api/udp.ts";

/**
 * UDP transport on Deno datagram sockets (`Deno.listenDatagram`), one per locator
 * ("127.0.0.1:0"); several make the host multi-homed, and {@link Host.move} binds more.
 */
export function udp(listen: LocatorLike | LocatorLike[], opts: UdpTransportOptions = {}): Transport {
  return udpTransport(async (at) => bindDenoUdp(at.ip, at.port), Array.isArray(listen) ? listen : [listen], opts, true, {
    follow: async (host, o, bind) => followDenoInterfaces(host, bind, o),
  });
}

/** The parts of the `Deno` namespace the FA command line uses (pass `Deno` itself). */
export interface DenoFaCli {
  /** Command-line arguments: `--udp IP:PORT… [--wt IP:PORT --cert PEM --key PEM] [--ws IP:PORT] [--id FILE] [--puzzle off|on|auto] [--lease-max S] [--store memory|redis://…]`. */
  args: string[];
  /** Reads the certificate, key and identity files. */
  readTextFile(p: string): Promise<string>;
  /** Writes a new identity file (mode 0600) when `--id` names one that does not exist. */
  writeTextFile(p: string, t: string, o: { mode: number }): Promise<void>;
  /** SIGINT / SIGTERM stop the FA. */
  addSignalListener(sig: "SIGINT" | "SIGTERM", f: () => void): void;
  /** Process exit. */
  exit(code: number): never;
}

/**
 * The Deno Forwarding Agent (UDP, WebTransport and WebSocket tunnels) as a command line:
 * `Deno.exit(await runDenoFa(Deno))`. Prints a JSON "fa ready" line with its locators, runs
 * until SIGINT/SIGTERM and resolves with the exit code (2: bad arguments).
 */
export async function runDenoFa(deno: DenoFaCli): Promise<number> {
  // Loaded on use: the command line reads the environment (HIPMM_DEBUG), which a Deno program
  // that only makes hosts may not be allowed to.
  const { main } = await import("../cli/fa-deno.ts");
  return main(deno);
}
