// The FA's own locators (sockets): control, shared IPv4 (addr type 4) and dedicated (addr
// type 6). The runtime binds one socket per entry and passes its index with each datagram.
import { ipToBytes, isV4Mapped } from "../../core/addr.ts";
import { type Locator, locatorKey } from "../../core/types.ts";
import type { FaConfig } from "./config.ts";

export interface FaLocal {
  readonly index: number;
  readonly locator: Locator;
  /** FAQs and relay frames from hosts are taken here. */
  readonly control: boolean;
  /** A shared IPv4 locator: ESP demultiplexed by SPI, HIP by receiver HIT. */
  readonly shared: boolean;
  /** A dedicated (addr type 6) locator: everything goes to its one lease. */
  readonly dedicated: boolean;
  readonly v6: boolean;
  readonly addr: Uint8Array;
}

export function buildLocals(c: FaConfig): FaLocal[] {
  const byKey = new Map<string, { locator: Locator; control: boolean; shared: boolean; dedicated: boolean }>();
  const add = (l: Locator, role: "control" | "shared" | "dedicated") => {
    const k = locatorKey(l);
    const e = byKey.get(k) ?? { locator: l, control: false, shared: false, dedicated: false };
    e[role] = true;
    byKey.set(k, e);
  };
  for (const l of c.control) add(l, "control");
  for (const l of c.shared4) add(l, "shared");
  for (const l of c.pool6) add(l, "dedicated");
  return [...byKey.values()].map((e, index) => {
    const addr = ipToBytes(e.locator.ip);
    if (!addr) throw new RangeError(`bad FA locator ${e.locator.ip}`);
    if (e.shared && !isV4Mapped(addr)) throw new RangeError(`shared locator ${e.locator.ip} is not IPv4`);
    return { index, ...e, v6: !isV4Mapped(addr), addr };
  });
}

/** Numeric key of an address (16 bytes at `off`) + port, for lookups without strings. */
export function addrPortHash(b: Uint8Array, off: number, port: number): number {
  let h = 0x811c9dc5;
  for (let i = off; i < off + 16; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return (h >>> 0) * 65536 + port;
}
