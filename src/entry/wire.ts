// hipmm/wire: zero-copy views and emitters of every HIP parameter and packet (RFC 7401,
// draft-nikander-hip-mm-00 §6), tunnel frames, and the shared core types. Sans-I/O.
export * from "../wire/index.ts";
export * from "../core/types.ts";
export { ipToBytes, bytesToIp, isV4Mapped } from "../core/addr.ts";
