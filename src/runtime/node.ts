// Node host runtime: RuntimeHost (HostStack + timer + events) on node:dgram sockets, one per
// local address (multi-homing).
import "../wasm/node-features.ts"; // first: relaxed SIMD on Node 20 before any module compiles
import type { Locator } from "../core/types.ts";
import { parseListen } from "../transport/types.ts";
import { bindNodeUdp } from "../transport/udp-node.ts";
import type { DatagramSocket } from "../transport/types.ts";
import type { WorkerDataPlane } from "../esp/remote.ts";
import { WorkerIo } from "./worker-io.ts";
import { HIP_DEFAULTS } from "../hip/types.ts";
import type { CryptoProvider } from "../core/crypto/provider.ts";
import { type NodeCryptoProvider, nodeCryptoDefault } from "./crypto-node.ts";
import { newRuntimeHost, RuntimeHost, type RuntimeHostOptions, resolveDataPlane } from "./host.ts";
import { useEmbeddedWasm } from "../wasm/loader.ts";

// Not in a hipmm/worker bundle: the embedded WASM module is the default DataPlane (src/wasm/loader.ts).
useEmbeddedWasm();

/** Options of `startNodeHost`. */
export interface NodeHostOptions extends RuntimeHostOptions {
  /** Local locators to bind ("127.0.0.1:10500", "[::1]:0", or Locator objects; port 0 = any). */
  listen: readonly (string | Locator)[];
}

/**
 * Bind one more UDP socket for `host` (a new interface, a move): the Worker's when the host runs
 * dataPlane "worker-io", so the new path's data stays off this thread too; else a node:dgram one.
 */
export function bindHostSocket(host: RuntimeHost, ip: string, port: number): Promise<DatagramSocket> {
  return host.workerIo && !host.workerIo.dead ? host.workerIo.bind(ip, port) : bindNodeUdp(ip, port);
}

/**
 * The crypto provider of a Node host: `opts.crypto`, else node:crypto, synchronous (issue 12:
 * faster than awaited WebCrypto, and what the core signs inline — REA, UPDATE, CLOSE — is signed
 * natively rather than with `@noble`, ~1.6 ms for P-256). Prepares what the first exchange
 * would otherwise make: a spare Initiator DH key of our first group (DH groups 7 / 8 = P-256 /
 * P-384) and our signing key, imported. startNodeHost and hipmm/node's `udp()` both use it.
 */
export function nodeHostCrypto(opts: Pick<RuntimeHostOptions, "crypto" | "hip" | "identity">): CryptoProvider | "inline" {
  const crypto = opts.crypto ?? nodeCryptoDefault();
  const g = (opts.hip?.dhGroups ?? HIP_DEFAULTS.dhGroups)[0];
  if (crypto !== "inline" && "prepareEphemeral" in crypto) {
    const nc = crypto as NodeCryptoProvider;
    if (g === 7 || g === 8) nc.prepareEphemeral(g === 7 ? "P-256" : "P-384");
    const key = opts.identity.signingKey;
    if (key) nc.prepareSigner(key);
  }
  return crypto;
}

/**
 * The first R1 generation (DH keys, signed R1s: RFC 7401 §4.1.1) made now, not in the first
 * I1's answer (the first exchange of a process: 26–35 ms, most of it cold code).
 */
export function warmNodeHost(host: RuntimeHost): void {
  host.stack.host.r1.current(host.driver.clock());
}

/** Bind the sockets and start a host. */
export async function startNodeHost(opts: NodeHostOptions): Promise<RuntimeHost> {
  const sockets: DatagramSocket[] = [];
  let io: { dp: WorkerDataPlane; io: WorkerIo } | undefined;
  try {
    const locs = parseListen(opts.listen);
    if (opts.dataPlane === "worker-io") {
      // The ESP Worker binds the sockets (worker-io.ts): the data path never crosses to this thread.
      io = await WorkerIo.start(opts.hip?.limits);
      for (const loc of locs) sockets.push(await io.io.bind(loc.ip, loc.port));
    } else for (const loc of locs) sockets.push(await bindNodeUdp(loc.ip, loc.port));
    // `dataPlane: "worker"`: the ESP Worker starts here (the host closes it).
    const crypto = nodeHostCrypto(opts);
    const host = newRuntimeHost(
      sockets,
      io ? { ...opts, crypto, dataPlane: io.dp, closeDataPlane: true, workerIo: io.io } : await resolveDataPlane({ ...opts, crypto }),
    );
    warmNodeHost(host);
    return host;
  } catch (e) {
    await Promise.all(sockets.map((s) => s.close()));
    io?.io.close();
    await io?.dp.close();
    throw e;
  }
}

export { RuntimeHost };
