// hipmm/node: the high-level API with UDP sockets from node:dgram (`udp()`) and key files.
// Lower layers: hipmm/runtime-node (startNodeHost, sockets, pcap files), hipmm/fa (the FA server).
import "../wasm/node-features.ts"; // first: relaxed SIMD on Node 20 before any module compiles
import { udpTransport, type UdpTransportOptions } from "../api/udp.ts";
import type { LocatorLike, Transport } from "../api/types.ts";
import { bindNodeUdp } from "../transport/udp-node.ts";
import { nodeHostCrypto, warmNodeHost } from "../runtime/node.ts";
import { watchInterfaces } from "../runtime/mobility-node.ts";
import { useEmbeddedWasm } from "../wasm/loader.ts";

// This entry embeds the WASM module: the default of every DataPlane made without one (src/wasm/loader.ts).
useEmbeddedWasm();

export * from "../index.ts";
export type { FollowInterfacesOptions, UdpTransportOptions } from "../api/udp.ts";

/**
 * UDP transport on node:dgram sockets, one per locator ("127.0.0.1:0", "[::1]:10500"); several
 * locators make the host multi-homed, and {@link Host.move} binds more. Public-key crypto runs on
 * node:crypto synchronously, as in startNodeHost (REA, UPDATE and CLOSE signatures included).
 */
export function udp(listen: LocatorLike | LocatorLike[], opts: UdpTransportOptions = {}): Transport {
  return udpTransport((at) => bindNodeUdp(at.ip, at.port), Array.isArray(listen) ? listen : [listen], opts, true, { crypto: nodeHostCrypto, ready: warmNodeHost, follow: watchInterfaces });
}

export { loadIdentity, loadOrCreateIdentity, saveIdentity } from "../runtime/keyfile-node.ts";
