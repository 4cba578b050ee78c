// The kernel's interfaces as rtnetlink reports them, parsed from `ip -o monitor address link`
// and `ip -o addr show` / `ip -o link show` lines (iproute2's one-line format). Pure: no node:
// imports, no I/O; netlink-node.ts runs the commands. One logical interface per kernel interface
// (draft §4.1: host → interface → addresses): the kernel's ifindex is the interface ID.

export type NetlinkEvent =
  | { kind: "link"; index: number; name: string; up: boolean; deleted: boolean }
  | {
      kind: "addr";
      index: number;
      name: string;
      ip: string;
      deleted: boolean;
      scope: string;
      /** An IPv6 address still in Duplicate Address Detection ("tentative", RFC 4862 §5.4) or
       * that failed it ("dadfailed"): the kernel will not bind or send from it (yet). */
      unusable?: true;
      /** Its preferred lifetime is over ("deprecated", RFC 4862 §5.5.4): usable, not for new paths. */
      deprecated?: true;
    };

export interface KernelInterface {
  index: number;
  name: string;
  /** Administratively up with carrier (flags UP and LOWER_UP, no NO-CARRIER). */
  up: boolean;
  /** Global-scope addresses (link-local and host scope are left out: they need a scope / are local). */
  addrs: string[];
  /** Those of `addrs` that are deprecated (IPv6 preferred lifetime over). */
  deprecated: string[];
}

const LINK = /^(Deleted )?(\d+): ([^:@\s]+)(?:@\S+)?: <([^>]*)>/;
const ADDR = /^(Deleted )?(\d+): (\S+)\s+inet6? ([0-9A-Fa-f.:]+)\/\d+.*?\bscope (\S+)([^\\]*)/;
/** Flags after the scope that make an address unusable: DAD running (not "optimistic", RFC 4429) or failed. */
const UNUSABLE = /\b(dadfailed|tentative)\b/;

/** One line of `ip -o monitor address link` (or of `ip -o link` / `ip -o addr`); others: undefined. */
export function parseIpLine(line: string): NetlinkEvent | undefined {
  const a = ADDR.exec(line);
  if (a) {
    const ev: NetlinkEvent = { kind: "addr", deleted: a[1] !== undefined, index: Number(a[2]), name: a[3], ip: a[4].toLowerCase(), scope: a[5] };
    if (UNUSABLE.test(a[6]) && !/\boptimistic\b/.test(a[6])) ev.unusable = true;
    if (/\bdeprecated\b/.test(a[6])) ev.deprecated = true;
    return ev;
  }
  const l = LINK.exec(line);
  if (l) {
    const flags = l[4].split(",");
    const up = flags.includes("UP") && flags.includes("LOWER_UP") && !flags.includes("NO-CARRIER");
    return { kind: "link", deleted: l[1] !== undefined, index: Number(l[2]), name: l[3], up };
  }
  return undefined;
}

/** The kernel's interfaces, kept up to date from events. Loopback is left out. */
export class KernelState {
  readonly interfaces = new Map<number, KernelInterface>();

  /** Applies one event; returns true if something we use changed. */
  apply(ev: NetlinkEvent): boolean {
    if (ev.name === "lo") return false;
    let itf = this.interfaces.get(ev.index);
    if (ev.kind === "link") {
      if (ev.deleted) return this.interfaces.delete(ev.index);
      if (!itf) {
        this.interfaces.set(ev.index, { index: ev.index, name: ev.name, up: ev.up, addrs: [], deprecated: [] });
        return true;
      }
      const changed = itf.up !== ev.up || itf.name !== ev.name;
      itf.up = ev.up;
      itf.name = ev.name;
      return changed;
    }
    if (ev.scope !== "global") return false;
    if (!itf) {
      if (ev.deleted) return false;
      itf = { index: ev.index, name: ev.name, up: true, addrs: [], deprecated: [] };
      this.interfaces.set(ev.index, itf);
    }
    const has = itf.addrs.includes(ev.ip);
    // A tentative address is not there yet (its DAD-complete event adds it); one that went back
    // to tentative (link down and up: DAD runs again) or failed DAD is gone until then.
    const wasDeprecated = itf.deprecated.includes(ev.ip);
    if (ev.deleted || ev.unusable) {
      if (has) itf.addrs = itf.addrs.filter((x) => x !== ev.ip);
      if (wasDeprecated) itf.deprecated = itf.deprecated.filter((x) => x !== ev.ip);
      return has;
    }
    if (!has) itf.addrs.push(ev.ip);
    if (ev.deprecated && !wasDeprecated) itf.deprecated.push(ev.ip);
    if (!ev.deprecated && wasDeprecated) itf.deprecated = itf.deprecated.filter((x) => x !== ev.ip);
    return !has || wasDeprecated !== (ev.deprecated === true);
  }

  /** Feeds every line of a dump (`ip -o link show` then `ip -o addr show`). */
  load(lines: Iterable<string>): void {
    for (const line of lines) {
      const ev = parseIpLine(line);
      if (ev) this.apply(ev);
    }
  }

  /** The interface holding `ip`, if any. */
  interfaceOf(ip: string): KernelInterface | undefined {
    const x = ip.toLowerCase();
    for (const itf of this.interfaces.values()) if (itf.addrs.includes(x)) return itf;
    return undefined;
  }
}

/**
 * Interface preference from a list of names, best first (`--prefer eth0,wlan0`, draft §3.3):
 * the first gets the highest value; unlisted interfaces 0.
 */
export function preferenceOf(prefer: readonly string[], name: string): number {
  const i = prefer.indexOf(name);
  return i < 0 ? 0 : prefer.length - i;
}
