// `hipmm host` inner-protocol options (src/runtime/inner.ts): `--icmp answer|print|off` (default
// answer: ICMPv6 Echo Requests to our HIT are answered; print: answered and every non-UDP inner
// packet is printed as one line; off: not answered, not printed) and `--ping N` (N Echo
// Requests to the peer HIT, `--ping-interval MS` apart, `--ping-size BYTES` of data, a line per
// reply like ping(8), then a summary, and the host exits: 0 when a reply came, 1 otherwise).
// All these lines go to stderr; stdout stays the peer's UDP data.
import { hitToString } from "../hip/hit.ts";
import type { RuntimeHost } from "../runtime/host.ts";
import type { InnerEvent, InnerOptions } from "../runtime/inner.ts";
import type { Args } from "./args.ts";

export const INNER_OPTIONS = ["icmp", "ping", "ping-interval", "ping-size"] as const;
export const INNER_USAGE = "[--icmp answer|print|off] [--ping N [--ping-interval MS] [--ping-size BYTES]]";

export interface InnerCli {
  mode: "answer" | "print" | "off";
  ping?: { count: number; intervalMs: number; size: number };
  /** RuntimeHostOptions.inner */
  inner: InnerOptions;
}

/** Reads the options; a string is the error. */
export function innerCli(a: Args): InnerCli | string {
  const mode = a.get("icmp") ?? "answer";
  if (mode !== "answer" && mode !== "print" && mode !== "off") return `--icmp takes answer, print or off (not '${mode}')`;
  const count = a.int("ping");
  const intervalMs = a.int("ping-interval") ?? 1000;
  const size = a.int("ping-size") ?? 56;
  if (count !== undefined && !(count >= 1 && count <= 65535)) return "--ping takes a count 1..65535";
  if (!(intervalMs >= 1) || !(size >= 0 && size <= 1400)) return "--ping-interval takes ms ≥ 1, --ping-size 0..1400 bytes";
  const cli: InnerCli = { mode, inner: { echoReply: mode !== "off" } };
  if (count !== undefined) cli.ping = { count, intervalMs, size };
  return cli;
}

/** One line for an inner packet that is not UDP. */
export function formatInner(ev: InnerEvent): string {
  const head = `inner ${hitToString(ev.peerHit)} next-header ${ev.nextHeader} ${ev.payload.length} bytes`;
  const i = ev.icmpv6;
  if (!i) return head;
  const echo = i.identifier === undefined ? "" : ` id=0x${i.identifier.toString(16).padStart(4, "0")} seq=${i.sequence}`;
  const kind = i.type === 128 ? "echo-request" : i.type === 129 ? "echo-reply" : `type=${i.type}`;
  return `${head}: icmpv6 ${kind} code=${i.code}${echo}${ev.echo ? ` (${ev.echo})` : ""}`;
}

export interface InnerRun {
  /** With --ping: resolves with the exit code once all pings are answered or timed out. */
  done: Promise<number> | undefined;
  stop(): void;
}

/** Wire the options to a running host; `peer()` is the current peer HIT, if any. */
export function runInner(host: RuntimeHost, cli: InnerCli, peer: () => Uint8Array | undefined, log: (line: string) => void): InnerRun {
  if (cli.mode === "print") host.on("inner", (ev) => log(formatInner(ev)));
  const p = cli.ping;
  if (!p) return { done: undefined, stop() {} };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const done = new Promise<number>((resolve) => {
    let sent = 0;
    let received = 0;
    const rtts: number[] = [];
    const waits: Promise<void>[] = [];
    const data = new Uint8Array(p.size);
    for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
    const finish = async () => {
      await Promise.all(waits);
      const to = peer();
      const loss = sent ? Math.round((100 * (sent - received)) / sent) : 100;
      log(`--- ${to ? hitToString(to) : "?"} ping statistics ---`);
      log(`${sent} packets transmitted, ${received} received, ${loss}% packet loss`);
      if (rtts.length) log(`rtt min/avg/max = ${[Math.min(...rtts), rtts.reduce((x, y) => x + y, 0) / rtts.length, Math.max(...rtts)].map((x) => x.toFixed(3)).join("/")} ms`);
      resolve(received > 0 ? 0 : 1);
    };
    const tick = () => {
      if (stopped) return void finish();
      const to = peer();
      if (to && host.stack.canSend(to)) {
        const seq = ++sent;
        waits.push(
          host.ping(to, { seq, data, timeoutMs: Math.max(2000, p.intervalMs * 2) }).then(
            (r) => {
              received++;
              rtts.push(r.rttMs);
              log(`${r.data.length + 8} bytes from ${hitToString(r.peerHit)}: icmp_seq=${r.sequence} time=${r.rttMs.toFixed(3)} ms`);
            },
            (e: Error) => log(e.message === `ping ${seq}: no reply` ? `no reply for icmp_seq=${seq}` : `ping: ${e.message}`),
          ),
        );
        if (sent >= p.count) return void finish();
      }
      // Before the association is up, look again soon; then one request per interval.
      timer = setTimeout(tick, to && host.stack.canSend(to) ? p.intervalMs : 50);
    };
    tick();
  });
  return {
    done,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
