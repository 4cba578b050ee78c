// What a tunnel host does when its tunnel comes back (issue 11 item 6; docs/PROTOCOL.md §9.3):
// the ReconnectingTunnel (transport/reconnect.ts) reopened a transport — to the same FA or the
// next one of the list — so the host (1) points its tunnel socket at that FA, (2) re-leases:
// renews its lease through the new tunnel (the FA rebinds it to this tunnel and keeps the
// locator if it still has the lease, e.g. restarted with its --store), or asks for a new one
// (FA lost it: UNKNOWN_LEASE; or another FA), draft §4.4.1/§4.4.2, (3) re-announces: an REA
// carrying the FA logical interface to every peer (§4.2, §6.4), so each peer re-verifies the
// path (or learns the new leased locator and SPI), and (4) tells the application once, with a
// typed `path-changed` event. No application code is involved; a drop is not an error.
import type { ActiveLease } from "../fa/client/client.ts";
import { FA_INTERFACE } from "../mobility/extension.ts";
import type { ReconnectingTunnel, TunnelUp } from "../transport/reconnect.ts";
import type { TunnelKind } from "../transport/tunnel.ts";
import type { TunnelSocket } from "../transport/tunnel.ts";
import type { EndpointDriver } from "./driver.ts";
import type { HostStack, StackEvent } from "./stack.ts";

/** The host's one path (its tunnel to an FA) changed and works again. */
export interface TunnelPathChanged {
  /** Event kind. */
  type: "path-changed";
  /** Why the old tunnel went away. */
  reason: string;
  /** Transport of the new tunnel. */
  kind: TunnelKind;
  /** Index of the FA endpoint in use, and whether it is another FA than before. */
  index: number;
  /** True when it is another FA than before. */
  faChanged: boolean;
  /** The lease now held (peers see us here), and whether it is another locator or SPI range. */
  lease: ActiveLease;
  /** True when the lease has another locator or SPI range. */
  leaseChanged: boolean;
  /** From the drop being noticed (close event, or no frame for deadAfterMs) to the lease being back, ms. */
  outageMs: number;
  /** Connection rounds the reopen took. */
  attempts: number;
}

/** Wires `tunnel`'s drops and reopens to the stack; `emit` gets one event per recovery. */
export class TunnelResume {
  /** Recoveries completed. */
  recoveries = 0;
  private downReason = "";
  private downAt: number | undefined;
  private pending: { up: TunnelUp; before: ActiveLease | undefined; faChanged: boolean } | undefined;

  constructor(
    readonly tunnel: ReconnectingTunnel,
    private readonly socket: TunnelSocket,
    private readonly stack: HostStack,
    private readonly driver: EndpointDriver,
    private readonly emit: (ev: TunnelPathChanged) => void,
  ) {
    tunnel.onDown = (reason) => {
      this.downReason = reason;
      this.downAt ??= Date.now();
    };
    tunnel.onUp = (up) => this.up(up);
  }

  /** True from a drop until the lease is back: sends are held (the FA would drop them). */
  get holding(): boolean {
    return this.downAt !== undefined || this.pending !== undefined || this.tunnel.closed;
  }

  private up(up: TunnelUp): void {
    if (!up.reconnected) return;
    const fa = this.stack.fa;
    if (!fa) return;
    const faChanged = up.endpoint.fa.locator.ip !== this.socket.fa.ip || up.endpoint.fa.locator.port !== this.socket.fa.port;
    this.socket.fa = up.endpoint.fa.locator;
    this.pending = { up, before: this.pending?.before ?? fa.lease, faChanged: (this.pending?.faChanged ?? false) || faChanged };
    fa.resume(this.driver.clock(), faChanged ? up.endpoint.fa : undefined);
    this.driver.flush();
  }

  /** Every stack event passes here: a lease granted while resuming completes the recovery. */
  onEvent(ev: StackEvent): void {
    const p = this.pending;
    if (!p || ev.type !== "fa" || ev.ev.type !== "leased") return;
    this.pending = undefined;
    const lease = ev.ev.lease;
    const b = p.before;
    const leaseChanged = !b || b.locator.ip !== lease.locator.ip || b.locator.port !== lease.locator.port || b.spiMin !== lease.spiMin || b.spiMax !== lease.spiMax;
    const outageMs = this.downAt === undefined ? 0 : Date.now() - this.downAt;
    this.downAt = undefined;
    // Out of the stack's event drain (this runs inside it): announce the FA interface again to
    // every peer (§4.2) — they verify the path through the new tunnel (AC/ACR) or move to the
    // new locator (a new SPI range bumped it already) — then tell the application.
    queueMicrotask(() => {
      this.stack.updateLocal(this.driver.clock(), (local) => local.bump(FA_INTERFACE));
      this.driver.flush();
      this.recoveries++;
      this.emit({ type: "path-changed", reason: this.downReason, kind: p.up.kind, index: p.up.index, faChanged: p.faChanged, lease, leaseChanged, outageMs, attempts: p.up.attempts });
    });
  }
}
