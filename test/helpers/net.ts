// Loopback helpers for tests that start servers in other processes.
import { createSocket } from "node:dgram";

/** A UDP port on `ip` (127.0.0.1 unless given, e.g. "::1") that was free a moment ago (bind to 0, read, release). */
export async function freeUdpPort(ip = "127.0.0.1"): Promise<number> {
  const s = createSocket(ip.includes(":") ? "udp6" : "udp4");
  await new Promise<void>((r) => s.bind(0, ip, () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}
