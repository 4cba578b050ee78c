// Inner protocols of BEET ESP (RFC 7402 §3.1): what arrives with a next header other than UDP.
// Sans-I/O (time passed in). Every authenticated inner packet (next header + payload) goes to
// the application; ICMPv6 (58) is checked (RFC 4443 §2.3, pseudo-header of the HITs), Echo
// Requests to our HIT are answered (RFC 4443 §4.2) and Echo Replies matched to our pings.
// Next header 59 is a dummy packet and is dropped silently (RFC 4303 §2.6).
// Bounds (every remote input is hostile): at most one reply per request, the reply is the
// request's size, replies per second are capped (token bucket, like RFC 4443 §2.4 (f)
// limits errors), outstanding pings are capped and expire.
import type { Locator, Millis } from "../core/types.ts";
import { hitKey } from "../hip/hit.ts";
import { echoReplyFor, emitIcmpv6, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, IPPROTO_ICMPV6, isEcho, type Icmpv6Repr, parseIcmpv6 } from "../wire/icmpv6.ts";

/** IP protocol number of TCP. */
export const IPPROTO_TCP = 6;
/** IPv6 No Next Header: an ESP dummy packet in BEET (RFC 4303 §2.6). */
export const IPPROTO_NONE = 59;

/** Options of the inner-protocol handling (what arrives inside BEET ESP besides UDP). */
export interface InnerOptions {
  /** Inner protocols delivered as "inner" events; the others are dropped (`esp.drop.next-header`). Default "all". */
  deliver?: "all" | readonly number[];
  /** Answer ICMPv6 Echo Requests to our HIT (default true). */
  echoReply?: boolean;
  /** Echo Replies per second over all peers (token bucket, burst as large; default 100). */
  echoRate?: number;
  /** Pings awaiting their reply (default 64); past that the oldest is forgotten. */
  pingLimit?: number;
  /** A ping is forgotten after this long (default 30 000 ms). */
  pingTimeoutMs?: number;
}

/** ICMPv6 header fields of an inner packet, for printing. */
export interface Icmpv6Summary {
  /** ICMPv6 Type. */
  type: number;
  /** ICMPv6 Code. */
  code: number;
  /** Echo Identifier (echo only). */
  identifier?: number;
  /** Echo Sequence Number (echo only). */
  sequence?: number;
}

/** An authenticated inner packet that is not UDP (UDP is the "message" event). */
export interface InnerEvent {
  /** Event kind. */
  type: "inner";
  /** The peer's HIT. */
  peerHit: Uint8Array;
  /** IPv6 next header of the BEET payload (RFC 7402 §3.1): 6 TCP, 58 ICMPv6, … */
  nextHeader: number;
  /** The upper-layer packet as it came (for ICMPv6: checksum verified). */
  payload: Uint8Array;
  /** Outer source locator. */
  from: Locator;
  /** Our locator it arrived at. */
  to?: Locator;
  /** Inbound SPI. */
  spi: number;
  /** ESP sequence number. */
  seq: number;
  /** True when it came inside an REA (ESP_DATAGRAM). */
  viaRea?: boolean;
  /** ICMPv6 only: its header fields. */
  icmpv6?: Icmpv6Summary;
  /** ICMPv6 Echo Request: answered, or why not ("off", "rate-limited", "code"). */
  echo?: "answered" | string;
}

/** An ICMPv6 Echo Reply matching one of our pings (HostStack.ping). */
export interface EchoReplyEvent {
  /** Event kind. */
  type: "echo-reply";
  /** The peer's HIT. */
  peerHit: Uint8Array;
  /** Echo Identifier. */
  identifier: number;
  /** Echo Sequence Number. */
  sequence: number;
  /** Echo data. */
  data: Uint8Array;
  /** Reply time minus send time, in the stack's clock. */
  rttMs: number;
  /** Outer source locator. */
  from: Locator;
}

/** What to do with one received inner packet. */
export interface InnerOutcome {
  /** Drop reason (counted as esp.drop.<reason>); nothing else applies. */
  drop?: string;
  /** Silently discarded (dummy packet). */
  discard?: boolean;
  /** Deliver as an "inner" event. */
  deliver: boolean;
  /** ICMPv6 header fields, if ICMPv6. */
  icmpv6?: Icmpv6Summary;
  /** ICMPv6 Echo Reply to send back over the same association. */
  reply?: Uint8Array;
  /** Why an Echo Request was not answered ("off", "rate-limited", "code"). */
  notAnswered?: string;
  /** A reply to one of our pings. */
  echo?: {
    /** Echo Identifier. */
    identifier: number;
    /** Echo Sequence Number. */
    sequence: number;
    /** Echo data. */
    data: Uint8Array;
    /** Round-trip time (ms). */
    rttMs: number;
  };
}

interface Outstanding {
  sentAt: Millis;
}

/** Non-UDP inner protocols of the stack: delivery filter, ICMPv6 echo answering (rate-limited) and our pings. */
export class InnerProtocols {
  private readonly deliverSet: ReadonlySet<number> | undefined;
  /** True when Echo Requests are answered. */
  readonly echoReply: boolean;
  private readonly echoRate: number;
  private tokens: number;
  private tokensAt: Millis | undefined;
  private readonly pingLimit: number;
  private readonly pingTimeoutMs: number;
  /** Insertion order = send order: the first entries are the oldest. */
  private readonly pings = new Map<string, Outstanding>();
  /** Counts "icmpv6.echo.replied", "icmpv6.ping.matched", … (into the stack's counters). */
  private readonly count: (name: string) => void;

  constructor(opts: InnerOptions = {}, count?: (name: string) => void) {
    this.count = count ?? (() => {});
    this.deliverSet = opts.deliver === undefined || opts.deliver === "all" ? undefined : new Set(opts.deliver);
    this.echoReply = opts.echoReply ?? true;
    this.echoRate = Math.max(0, opts.echoRate ?? 100);
    this.tokens = this.echoRate;
    this.pingLimit = Math.max(1, opts.pingLimit ?? 64);
    this.pingTimeoutMs = opts.pingTimeoutMs ?? 30_000;
  }

  /** One authenticated inner packet from `peerHit` to `ourHit` (never UDP: that is beet-udp.ts). */
  receive(now: Millis, ourHit: Uint8Array, peerHit: Uint8Array, nextHeader: number, payload: Uint8Array): InnerOutcome {
    if (nextHeader === IPPROTO_NONE) return { deliver: false, discard: true };
    const deliver = this.deliverSet === undefined || this.deliverSet.has(nextHeader);
    if (nextHeader !== IPPROTO_ICMPV6) return deliver ? { deliver } : { deliver, drop: "next-header" };
    const p = parseIcmpv6(peerHit, ourHit, payload);
    if (!p.ok) return { deliver: false, drop: p.error.code === "BAD_CHECKSUM" ? "icmpv6-checksum" : "icmpv6-truncated" };
    const m = p.value;
    const out: InnerOutcome = { deliver, icmpv6: summary(m) };
    if (!isEcho(m)) return deliver ? out : { deliver, drop: "next-header" };
    if (m.type === ICMPV6_ECHO_REQUEST) {
      const why = !this.echoReply ? "off" : m.code !== 0 ? "code" : !this.take(now) ? "rate-limited" : undefined;
      if (why) {
        this.count(`icmpv6.echo.not-answered.${why}`);
        out.notAnswered = why;
      } else {
        out.reply = echoReplyFor(ourHit, peerHit, m);
        this.count("icmpv6.echo.replied");
      }
    } else {
      this.expire(now);
      const key = pingKey(peerHit, m.identifier, m.sequence);
      const o = this.pings.get(key);
      if (o) {
        this.pings.delete(key);
        out.echo = { identifier: m.identifier, sequence: m.sequence, data: m.data, rttMs: now - o.sentAt };
        this.count("icmpv6.ping.matched");
      } else this.count("icmpv6.ping.unmatched");
    }
    if (!deliver && !out.reply && !out.echo) return { deliver, drop: "next-header" };
    return out;
  }

  /** An Echo Request from us to `peerHit`, remembered until its reply (or expiry). */
  ping(now: Millis, ourHit: Uint8Array, peerHit: Uint8Array, identifier: number, sequence: number, data: Uint8Array): Uint8Array {
    this.expire(now);
    const key = pingKey(peerHit, identifier & 0xffff, sequence & 0xffff);
    this.pings.delete(key); // a re-sent sequence number restarts its clock
    while (this.pings.size >= this.pingLimit) {
      this.pings.delete(this.pings.keys().next().value as string);
      this.count("icmpv6.ping.evicted");
    }
    this.pings.set(key, { sentAt: now });
    this.count("icmpv6.ping.sent");
    return emitIcmpv6(ourHit, peerHit, { type: ICMPV6_ECHO_REQUEST, code: 0, identifier: identifier & 0xffff, sequence: sequence & 0xffff, data });
  }

  /** Forget a ping that could not be sent. */
  forget(peerHit: Uint8Array, identifier: number, sequence: number): void {
    this.pings.delete(pingKey(peerHit, identifier & 0xffff, sequence & 0xffff));
  }

  /** Pings awaiting a reply. */
  get outstanding(): number {
    return this.pings.size;
  }

  private expire(now: Millis): void {
    for (const [k, o] of this.pings) {
      if (now - o.sentAt < this.pingTimeoutMs) break;
      this.pings.delete(k);
      this.count("icmpv6.ping.expired");
    }
  }

  /** Token bucket: echoRate per second, burst echoRate. */
  private take(now: Millis): boolean {
    if (this.tokensAt !== undefined) this.tokens = Math.min(this.echoRate, this.tokens + ((now - this.tokensAt) * this.echoRate) / 1000);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function pingKey(peerHit: Uint8Array, identifier: number, sequence: number): string {
  return `${hitKey(peerHit)}/${identifier}/${sequence}`;
}

function summary(m: Icmpv6Repr): Icmpv6Summary {
  return isEcho(m) ? { type: m.type, code: m.code, identifier: m.identifier, sequence: m.sequence } : { type: m.type, code: m.code };
}

/** A default Echo Identifier for a host: 16 bits of its HIT (stable, differs between hosts). */
export function pingIdentifierFor(hit: Uint8Array): number {
  return ((hit[14] << 8) | hit[15]) & 0xffff;
}

export { ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, IPPROTO_ICMPV6 };
