// hipmm/node: the high-level API with UDP sockets from node:dgram (`udp()`), key files, and
// the low-level Node host and socket. The FA server is hipmm/fa.
import { udpTransport, type UdpTransportOptions } from "../api/udp.ts";
import type { LocatorLike, Transport } from "../api/types.ts";
import { bindNodeUdp } from "../transport/udp-node.ts";

export * from "../index.ts";
export type { UdpTransportOptions } from "../api/udp.ts";

/** UDP transport: one node:dgram socket per locator ("127.0.0.1:0", "[::1]:10500"); several = multi-homed. */
export function udp(listen: LocatorLike | LocatorLike[], opts: UdpTransportOptions = {}): Transport {
  return udpTransport((at) => bindNodeUdp(at.ip, at.port), Array.isArray(listen) ? listen : [listen], opts);
}

export { startNodeHost, type NodeHostOptions } from "../runtime/node.ts";
export { RuntimeHost, type RuntimeHostOptions, type RuntimeHostEvents } from "../runtime/host.ts";
export { bindNodeUdp, NodeUdpSocket } from "../transport/udp-node.ts";
export { saveIdentity, loadIdentity, loadOrCreateIdentity } from "../runtime/keyfile-node.ts";
export { createPcapFile, readPcapFile, type PcapFileWriter } from "../capture/pcap-file.ts";
