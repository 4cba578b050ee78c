// hipmm/runtime-deno: the low-level Deno host (RuntimeHost on Deno datagram sockets) and the
// socket itself. The high-level API is hipmm/deno.
import { useEmbeddedWasm } from "../wasm/loader.ts";
// This entry embeds the WASM module: the default of every DataPlane made without one (src/wasm/loader.ts).
useEmbeddedWasm();
export { startDenoHost, type DenoHostOptions } from "../runtime/deno.ts";
export { bindDenoUdp, DenoUdpSocket } from "../transport/udp-deno.ts";
