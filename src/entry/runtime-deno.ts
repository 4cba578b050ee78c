// hipmm/runtime-deno: the low-level Deno host (RuntimeHost on Deno datagram sockets) and the
// socket itself. The high-level API is hipmm/deno.
export { startDenoHost, type DenoHostOptions } from "../runtime/deno.ts";
export { bindDenoUdp, DenoUdpSocket } from "../transport/udp-deno.ts";
