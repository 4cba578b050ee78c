// `hipmm host`: stdin lines to the peer, one datagram each. A line waits, in order, while there is
// no association or a Worker's seal queue is full. At most `maxHeld` wait; then stdin is paused
// instead of dropping lines (it dropped the oldest: `cat file | hipmm host --connect …` lost all
// but the last 1024 lines read before the base exchange ended), so a pipe loses nothing and a
// terminal keeps what is typed. A line longer than one datagram carries is reported and skipped,
// and so is an unterminated one that outgrows it, so memory stays bounded.
import { MAX_DATAGRAM } from "../runtime/stack.ts";

/** What became of one line handed to the host. */
export type LineSendResult = "sent" | "no-association" | "busy" | "too-big" | "failed";

export interface LineSink {
  /** Send one datagram to the peer (RuntimeHost.send, mapped). */
  send(data: Uint8Array): LineSendResult;
  /** There is no association: start a base exchange if there is a peer to call. */
  associate(): void;
  pause(): void;
  resume(): void;
  log(line: string): void;
}

export class LineSender {
  private readonly backlog: Uint8Array[] = [];
  private pending = "";
  private paused = false;
  /** Skipping the rest of a line that outgrew a datagram. */
  private skipping = false;
  /** stdin has ended: the last line goes even without its newline. */
  private ended = false;
  private readonly enc = new TextEncoder();

  constructor(
    private readonly sink: LineSink,
    readonly maxHeld = 1024,
  ) {}

  /** Lines waiting (not counting those still in the read buffer while stdin is paused). */
  get held(): number {
    return this.backlog.length;
  }

  /** Lines read and not handed to the host: those waiting and those still buffered. */
  get unsent(): number {
    let n = this.backlog.length;
    for (let i = this.pending.indexOf("\n"); i >= 0; i = this.pending.indexOf("\n", i + 1)) n++;
    return n + (this.pending.endsWith("\n") || this.pending === "" ? 0 : 1);
  }

  /** Nothing waits: every line read has been handed to the host (or refused and said). */
  get idle(): boolean {
    return this.backlog.length === 0 && this.pending.length === 0;
  }

  /** Text read from stdin. */
  input(chunk: string): void {
    this.pending += chunk;
    this.drainPending();
  }

  /** End of stdin: the lines still buffered go as they can, the last even without its newline. */
  end(): void {
    this.ended = true;
    if (!this.paused) this.drainPending();
  }

  /** An association came up or the Worker's queue drained: send what waits, then read on. */
  flush(): void {
    while (this.backlog.length > 0 && this.trySend(this.backlog[0]) === "done") this.backlog.shift();
    if (this.paused && this.backlog.length < this.maxHeld) {
      this.paused = false;
      this.drainPending();
      if (!this.paused) this.sink.resume();
    }
  }

  private drainPending(): void {
    let start = 0;
    for (let i = this.pending.indexOf("\n"); i >= 0; i = this.pending.indexOf("\n", start)) {
      if (this.backlog.length >= this.maxHeld) {
        if (!this.paused) {
          this.paused = true;
          this.sink.pause();
        }
        break;
      }
      if (this.skipping) this.skipping = false;
      else this.line(this.pending.slice(start, i));
      start = i + 1;
    }
    this.pending = start === 0 ? this.pending : this.pending.slice(start);
    if (this.paused) return;
    if (this.ended) {
      const rest = this.pending;
      this.pending = "";
      if (rest && !this.skipping) this.line(rest);
      this.skipping = false;
      return;
    }
    // A line with no end in sight that no datagram could carry: said once, and its bytes go.
    if (this.pending.length > MAX_DATAGRAM) {
      if (!this.skipping) this.sink.log(`a line longer than ${MAX_DATAGRAM} bytes (one datagram) is not sent`);
      this.skipping = true;
      this.pending = "";
    }
  }

  private line(text: string): void {
    const data = this.enc.encode(`${text}\n`);
    if (this.backlog.length === 0 && this.trySend(data) === "done") return;
    this.backlog.push(data);
  }

  /** "done": sent, or refused for good (said); "wait": keep it for flush(). */
  private trySend(data: Uint8Array): "done" | "wait" {
    const r = this.sink.send(data);
    if (r === "no-association") {
      this.sink.associate();
      return "wait";
    }
    if (r === "busy") return "wait";
    if (r === "too-big") this.sink.log(`a line of ${data.length} bytes is not sent: more than one datagram carries (${MAX_DATAGRAM})`);
    else if (r === "failed") this.sink.log("a line could not be sealed and is dropped (counted in the stats' drops)");
    return "done";
  }
}
