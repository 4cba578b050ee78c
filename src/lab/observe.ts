// What a lab host knows over time, for teaching views: its own addresses (active/deprecated),
// its peer's addresses (unverified/on credit/active=verified/deprecated), its ESP SAs, and every
// SA's keys (for a tshark esp_sa file of the run — the web demo's "download keys"). Snapshots are
// taken after each input the host handles and kept only when something changed; reading state
// never changes it, so a run with observation is the same run. Browser-safe.
import { locatorKey } from "../core/types.ts";
import type { SaParams } from "../esp/types.ts";
import { keyedSas } from "../hip/sa.ts";
import type { MobilitySession } from "../mobility/session.ts";
import type { HostStack, StackEvent } from "../runtime/stack.ts";

export interface AddrRow {
  addr: string;
  /** Local: active | deprecated. Peer: unverified | credited | active (verified) | deprecated. */
  status: string;
  iface: number;
  preferred: boolean;
  /** Peer rows: the peer's inbound SPI on that interface (our outbound SA toward it, §4.5). */
  spi?: number;
}

export interface SaRow {
  dir: "in" | "out";
  spi: number;
  suite: number;
}

export interface HostState {
  t: number;
  local: AddrRow[];
  peer: AddrRow[];
  sas: SaRow[];
  /** The address pair data goes on now ("from → to"), if any. */
  path?: string;
}

/** An SA with its keys, as installed (copied: the stack may wipe its own copies later). */
export interface SaKeys {
  t: number;
  node: string;
  dir: "in" | "out";
  spi: number;
  suite: number;
  encKey: Uint8Array;
  authKey: Uint8Array;
}

export class HostObserver {
  readonly states: HostState[] = [];
  readonly keys: SaKeys[] = [];
  private readonly sas = new Map<string, SaRow>();
  private readonly credited = new Set<string>();
  private last = "";

  constructor(readonly node: string) {}

  onEvent(t: number, ev: StackEvent): void {
    const add = (sa: SaParams) => {
      this.sas.set(`${sa.direction}:${sa.spi}`, { dir: sa.direction, spi: sa.spi, suite: sa.suite });
      this.keys.push({ t, node: this.node, dir: sa.direction, spi: sa.spi, suite: sa.suite, encKey: sa.encKey.slice(), authKey: sa.authKey.slice() });
    };
    switch (ev.type) {
      case "sa-install":
        add(ev.inbound);
        add(ev.outbound);
        break;
      case "sa-add":
        add(ev.sa);
        break;
      case "sa-rekey":
        // RFC 7402 §6.10: the new pair replaces the current one (the old inbound SA retires).
        this.sas.delete(`in:${ev.oldInboundSpi}`);
        this.sas.delete(`out:${ev.oldOutboundSpi}`);
        for (const sa of keyedSas(ev)) if (!this.sas.has(`${sa.direction}:${sa.spi}`)) add(sa);
        break;
      case "sa-delete":
        this.sas.delete(`${ev.direction}:${ev.spi}`);
        break;
      case "sa-remove":
        this.sas.delete(`in:${ev.inboundSpi}`);
        this.sas.delete(`out:${ev.outboundSpi}`);
        break;
      case "mobility": {
        const m = ev.ev;
        if (m.type === "address-credited") this.credited.add(locatorKey(m.locator));
        else if (m.type === "address-verified" || m.type === "address-failed") this.credited.delete(locatorKey(m.locator));
        break;
      }
    }
  }

  /** Record the host's state at `t` if it changed. */
  snapshot(t: number, stack: HostStack, session: MobilitySession | undefined): void {
    const local: AddrRow[] = [];
    for (const itf of stack.local?.interfaces.values() ?? []) {
      if (!itf.up || itf.hidden) continue;
      for (const a of itf.addresses) local.push({ addr: locatorKey(a.locator), status: a.status, iface: itf.id, preferred: a.preferred });
    }
    const peer: AddrRow[] = [];
    for (const { itf, addr } of session?.peer.all() ?? []) {
      const k = locatorKey(addr.locator);
      const status = addr.status === "unverified" && this.credited.has(k) ? "credited" : addr.status;
      peer.push({ addr: k, status, iface: itf.id, preferred: addr.preferred, spi: itf.spi });
    }
    const sas = [...this.sas.values()];
    const p = session?.path;
    const path = p ? `${locatorKey(p.from)} → ${locatorKey(p.to)}` : undefined;
    const key = JSON.stringify([local, peer, sas, path]);
    if (key === this.last) return;
    this.last = key;
    this.states.push({ t, local, peer, sas, path });
  }

  /** The state in force at time `t` (the last snapshot at or before it). */
  at(t: number): HostState | undefined {
    let lo = 0;
    let hi = this.states.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.states[mid].t <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? this.states[lo - 1] : undefined;
  }
}
