// Leases by the host's current locator: relay frames a host sends over UDP are matched to its
// leases by their source locator. Numeric keys (a hash of address text and port) so the
// forwarding path does not build strings.
import type { Locator } from "../../core/types.ts";
import type { Lease } from "./lease.ts";

export function locatorHash(ip: string, port: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ip.length; i++) h = Math.imul(h ^ ip.charCodeAt(i), 0x01000193);
  return ((h >>> 0) * 65536 + port) % Number.MAX_SAFE_INTEGER;
}

export class HostIndex {
  private readonly map = new Map<number, Lease | Lease[]>();

  add(l: Lease): void {
    if (l.tunnel) return;
    const k = locatorHash(l.host.ip, l.host.port);
    const cur = this.map.get(k);
    if (cur === undefined) this.map.set(k, l);
    else if (Array.isArray(cur)) cur.push(l);
    else if (cur !== l) this.map.set(k, [cur, l]);
  }

  remove(l: Lease, host: Locator = l.host): void {
    const k = locatorHash(host.ip, host.port);
    const cur = this.map.get(k);
    if (cur === l) this.map.delete(k);
    else if (Array.isArray(cur)) {
      const i = cur.indexOf(l);
      if (i >= 0) cur.splice(i, 1);
      if (cur.length === 1) this.map.set(k, cur[0]);
      else if (cur.length === 0) this.map.delete(k);
    }
  }

  /** A lease held by the host at `from` whose leased locator is `leased` (or any, when omitted). */
  find(fromIp: string, fromPort: number, leasedIp?: string, leasedPort?: number): Lease | undefined {
    const cur = this.map.get(locatorHash(fromIp, fromPort));
    if (cur === undefined) return undefined;
    if (!Array.isArray(cur)) return matches(cur, fromIp, fromPort, leasedIp, leasedPort) ? cur : undefined;
    for (const l of cur) if (matches(l, fromIp, fromPort, leasedIp, leasedPort)) return l;
    return undefined;
  }
}

function matches(l: Lease, fromIp: string, fromPort: number, ip: string | undefined, port: number | undefined): boolean {
  if (l.tunnel || l.host.port !== fromPort || l.host.ip !== fromIp) return false;
  return ip === undefined || (l.locator.ip === ip && l.locator.port === port);
}
