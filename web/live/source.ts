// The live run as the demo's views see it: a Source (web/demo/sources.ts) filled from the
// Worker's messages as real datagrams cross the tunnel, and a player that follows real time
// ("running" = the newest moment; Pause, Step and the time slider look back). Times are as the
// browser host sees them: an arrow is drawn when the host sends or receives the datagram.
import { locatorKey } from "../../src/core/types.ts";
import { HostObserver, type SaKeys } from "../../src/lab/observe.ts";
import type { TraceEvent } from "../../src/sim/types.ts";
import { FlightLog } from "../demo/flights.ts";
import { Player } from "../demo/player.ts";
import type { Source } from "../demo/sources.ts";
import { BROWSER, type FromWorker, type LiveConfig, PEER } from "./protocol.ts";

export class LiveRunSource implements Source {
  readonly log: FlightLog;
  readonly trace: TraceEvent[] = [];
  readonly keys: SaKeys[] = [];
  readonly hosts = { [BROWSER]: new HostObserver(BROWSER) };
  readonly changes: number[] = [];
  facts: Record<string, number | string | null> = { established_ms: null, echoes_delivered: 0 };
  timeLabel = "ms since the live host started (real time)";
  espNote = "a datagram of the live run: the browser host's text to the peer (port 7000 → 7001), or the peer's echo";
  /**
   * Lanes: the browser host, the FAs, the peer. An FA's locator stays the FA's: the browser's
   * leased locator is that same address (a shared IPv4 locator + SPI range, draft §4.4), and
   * the FA is where it is on the wire.
   */
  constructor(cfg: LiveConfig) {
    this.log = new FlightLog([{ node: BROWSER, addresses: [] }, ...cfg.fas.map((f) => ({ node: f.name, addresses: [f.udp] })), { node: PEER, addresses: [cfg.peer.locator] }]);
    for (const f of cfg.fas) this.log.pinned.add(locatorKey(f.udp));
  }

  /** Worker time of the newest message, and when (page clock) it came. */
  private lastT = 0;
  private lastAt = performance.now();

  get end(): number {
    return Math.max(100, this.lastT + (performance.now() - this.lastAt));
  }

  advance(): void {}

  /** Take one message from the Worker; true when it changed what the views show. */
  ingest(m: FromWorker): boolean {
    const at = (t: number) => {
      this.lastT = Math.max(this.lastT, t);
      this.lastAt = performance.now();
    };
    switch (m.type) {
      case "trace":
        at(m.ev.t);
        this.trace.push(m.ev);
        this.log.ingest(m.ev);
        return true;
      case "note":
        at(m.t);
        this.log.annotate({ t: m.t, node: m.node, kind: m.node ? "event" : "note", text: m.text });
        if (!m.node && m.text.startsWith("move")) this.changes.push(m.t);
        return true;
      case "state":
        (this.hosts[BROWSER].states as unknown[]).push(m.state);
        return true;
      case "keys":
        this.keys.push(m.keys);
        return false;
      case "established":
        at(m.t);
        this.facts.established_ms = Math.round(m.t);
        return true;
      case "reply":
        at(m.t);
        this.facts.echoes_delivered = Number(this.facts.echoes_delivered) + 1;
        return true;
      default:
        return false;
    }
  }
}

/** Follows the newest moment while "running"; paused, it stays where Pause, Step or the slider put it. */
export class LivePlayer extends Player {
  constructor(
    src: LiveRunSource,
    private readonly redraw: (p: Player) => void,
  ) {
    super(src, redraw);
    this.state = "running";
  }

  /** Called for new messages and on a slow tick: move to the newest moment when following. */
  follow(): void {
    // Paused, the view stays as it is (the slider's end catches up on the next redraw).
    if (this.state !== "running") return;
    this.t = this.src.end;
    this.redraw(this);
  }

  override run(): void {
    this.state = "running";
    this.follow();
  }

  override pause(): void {
    this.state = "paused";
    this.redraw(this);
  }

  override step(): void {
    this.state = "paused";
    this.t = this.nextKey(this.t) ?? this.src.end;
    this.redraw(this);
  }

  override seekTo(t: number): void {
    this.state = "paused";
    this.t = Math.max(0, Math.min(t, this.src.end));
    this.redraw(this);
  }

  override stop(): void {}
}
