// `hipmm host --id FILE --listen IP:PORT…` (options and their help: host-options.ts; ICMPv6 echo to/from
// HITs: host-inner.ts): like
// `nc -u`, but over HIP. stdin lines go to the peer as ESP datagrams; what arrives is written to
// stdout. Status lines go to stderr. Mobility (REA/AC/ACR) is on; `--fa` leases an address from
// a Forwarding Agent (later ones are fallbacks, draft §4.4.2) and announces it as the FA
// logical interface (§6.4); `--privacy` announces only the leased address (§3.2). Errors:
// one line naming the option, exit 1 / 2 (errors.ts); counters: --stats, SIGUSR1 (stats.ts).
import { hitKey, hitToString } from "../hip/hit.ts";
import type { HipHostConfig } from "../hip/types.ts";
import { DEFAULT_POLICY } from "../mobility/policy.ts";
import { locatorKey } from "../core/types.ts";
import { watchInterfaces } from "../runtime/mobility-node.ts";
import { startNodeHost } from "../runtime/node.ts";
import type { RuntimeHost } from "../runtime/host.ts";
import type { PeerInfo } from "../runtime/peer-info.ts";
import { hitArg, locatorArg, openCapture, peerArg, readIdentity } from "./common.ts";
import { bindError, errorContext, UsageError } from "./errors.ts";
import { netConfig } from "./host-net-options.ts";
import { HOST_SPEC } from "./host-options.ts";
import type { Command } from "./main.ts";
import { choiceOption, intOption, numberOption, parseCommand } from "./options.ts";
import { startStats } from "./stats.ts";
import { innerCli, runInner } from "./host-inner.ts";
import { applyInterop } from "./host-interop-options.ts";
import { hostIo, wireHostIo } from "./host-io.ts";
import { LineSender } from "./host-lines.ts";
import { hostLimits } from "./limit-options.ts";

export async function hostCommand(argv: string[]): Promise<number> {
  const a = parseCommand(HOST_SPEC, argv);
  if (!a) return 0;
  if (a.positionals.length) throw new UsageError(`unexpected argument ${a.positionals[0]}`);
  const idFile = a.get("id")!;
  const listen = a.getAll("listen").map((l) => locatorArg("--listen", l));
  const port = intOption(a, "port", 1, 65535) ?? 5000;
  const k = intOption(a, "k", 0, 40);
  const peer = a.get("connect") !== undefined ? peerArg("--connect", a.get("connect")!) : undefined;
  const fas = a.getAll("fa").map((f) => locatorArg("--fa", f));
  // --allow HIT…: only these peers may associate with us (RFC 7401 NOTIFY BLOCKED_BY_POLICY otherwise).
  const allowed = new Set(a.getAll("allow").map((h) => hitKey(hitArg("--allow", h))));
  const statsSeconds = numberOption(a, "stats", 0.1, 86400);
  if (fas.length > 0 && a.has("no-mobility")) throw new UsageError("--fa needs mobility (drop --no-mobility)");
  if (a.has("privacy") && fas.length === 0) throw new UsageError("--privacy needs --fa");
  const net = netConfig(a);
  const dataPlane = a.get("data-plane") ?? "inline";
  if (dataPlane !== "inline" && dataPlane !== "worker" && dataPlane !== "worker-io") throw new UsageError(`--data-plane: want inline, worker or worker-io, not '${dataPlane}'`);
  const hip: Partial<HipHostConfig> = k === undefined ? { checksum: net.checksum } : { puzzleK: k, checksum: net.checksum };
  if (net.heartbeatMs !== undefined) hip.heartbeatMs = net.heartbeatMs;
  if (allowed.size > 0) hip.accept = (hit) => allowed.has(hitKey(hit));
  const limits = hostLimits(a);
  if (limits) hip.limits = limits;
  const profile = applyInterop(a, hip);
  // UPDATE rekeys (RFC 7402 §6.8-§6.10; docs/PROTOCOL.md §7.8).
  const rekey = { threshold: intOption(a, "rekey-after", 10, 0xffffffff), newDh: choiceOption(a, "rekey-dh", ["exhausted", "always"] as const) };

  const io = hostIo(a);
  const inner = innerCli(a);
  if (typeof inner === "string") throw new UsageError(inner);
  const identity = await readIdentity("--id", idFile);
  if (peer?.hit && hitKey(peer.hit) === hitKey(identity.hit)) throw new UsageError(`--connect ${a.get("connect")}: ${hitToString(peer.hit)} is this host's own HIT (--id ${idFile})`);
  const capture = openCapture(a.get("pcap"), a.get("esp-sa"));
  errorContext.describe = (e) => bindError(e, listen.map((l) => ["--listen", l]));
  let host: RuntimeHost;
  try {
    const fa = fas.length ? { fas: fas.map((l) => ({ locator: l })), addrType: net.faAddrType, spis: 16, privacy: a.has("privacy"), silenceMs: net.faSilenceMs, fleet: net.faFleet } : undefined;
    host = await startNodeHost({ identity, listen, hip, tap: capture.tap, ...(dataPlane === "inline" ? {} : { dataPlane }), mobility: a.has("no-mobility") || profile?.noUpdateExtensions ? false : { policy: net.policy }, fa, inner: inner.inner, natKeepaliveMs: net.natKeepaliveMs, rekey });
  } catch (e) {
    capture.close();
    throw e;
  }
  let stats: ReturnType<typeof startStats>;
  try {
    // Counters, and each association as it is now (where ESP goes, its SPIs): an operator's SIGUSR1 answers "where is my peer?".
    stats = startStats("host", () => ({ ...host.stats(), peers: host.peers().map(peerLine) }), { seconds: statsSeconds, file: a.get("stats-file") });
  } catch (e) {
    await host.close();
    capture.close();
    throw e;
  }
  console.error(`hipmm: ${hitToString(host.hit)} listening on ${host.locals.map(locatorKey).join(" ")}`);
  // Kernel address/link events (Linux: rtnetlink via `ip monitor`; else polling), draft §4.2.
  const watch = net.watch && !a.has("no-mobility") ? await watchInterfaces(host, { port: listen[0]?.port ?? 0, prefer: net.prefer, ...(net.watchFamilies ? { families: net.watchFamilies } : {}), log: (l) => console.error(`hipmm: ${l}`) }) : undefined;
  if (watch) console.error(`hipmm: watching interfaces (${watch.kind})`);

  const deadMs = net.policy.peerDeadMs ?? DEFAULT_POLICY.peerDeadMs;
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  let current: Uint8Array | undefined = peer?.hit;
  host.on("event", capture.onEvent);
  // With --connect HIT@…, lines go to that peer only: another host that associates with us does
  // not take them.
  const ours = (hit: Uint8Array) => !peer?.hit || hitKey(hit) === hitKey(peer.hit);
  // A peer that ran a base exchange with us (we answered: R2-SENT) can take our lines at once;
  // "established" waits for its first packet (RFC 7401 §4.4.2), and a silent client would
  // otherwise hold our lines until it spoke.
  host.on("event", (ev) => {
    if (ev.type !== "sa-install" || !ours(ev.peerHit) || (current && host.stack.canSend(current))) return;
    current = ev.peerHit;
    lines.flush();
  });
  host.on("established", (ev) => {
    if (ours(ev.peerHit)) current = ev.peerHit;
    console.error(`hipmm: established ${hitToString(ev.peerHit)} at ${locatorKey(ev.peer)}`);
    lines.flush();
    maybeFinish();
  });
  host.on("drain", () => {
    lines.flush();
    maybeFinish();
  });
  host.on("failed", (ev) => console.error(`hipmm: association with ${hitToString(ev.peerHit)} failed: ${ev.reason}`));
  host.on("closed", (ev) => {
    const why = ev.reason === "unreachable" ? "unreachable: the peer stopped answering, given up" : ev.reason;
    console.error(`hipmm: association with ${hitToString(ev.peerHit)} closed (${why})${ev.reason === "unreachable" && peer ? "; the next line starts a new base exchange" : ""}`);
  });
  wireHostIo(host, io, (chunk) => process.stdout.write(chunk)); // --output, --echo (host-io.ts)
  // No silent drops (send-queue.ts): held while there is no path, reported when dropped.
  const reportDropped = (ev: { peerHit: Uint8Array; dropped: number; reason: string }) => console.error(`hipmm: ${ev.dropped} datagram(s) to ${hitToString(ev.peerHit)} dropped (${ev.reason})`);
  host.on("held", (ev) => {
    if (ev.type === "send-queued" && ev.held === 1) console.error(`hipmm: no path to ${hitToString(ev.peerHit)}: holding datagrams`);
    else if (ev.type === "send-dropped") reportDropped(ev);
  });
  host.on("event", (ev) => {
    // Queued for an association (or a rekey) that failed or closed first.
    if (ev.type === "send-dropped") reportDropped(ev);
    else if (ev.type === "fa" && ev.ev.type === "leased") console.error(`hipmm: leased ${locatorKey(ev.ev.lease.locator)} from FA ${locatorKey(ev.ev.lease.fa.locator)}${ev.ev.renewed ? " (renewed)" : ""}`);
    else if (ev.type === "fa" && ev.ev.type === "refused") console.error(`hipmm: FA refused: ${ev.ev.reasonName} ${ev.ev.message}`);
    else if (ev.type === "fa" && ev.ev.type === "released") console.error(`hipmm: lease at FA ${locatorKey(ev.ev.fa)} released`);
    else if (ev.type === "fa" && ev.ev.type === "fa-alive") console.error(`hipmm: FA ${locatorKey(ev.ev.fa)} is back (probed us after a silence)`);
    else if (ev.type === "fa" && ev.ev.type === "fa-dead") console.error(`hipmm: FA ${locatorKey(ev.ev.fa)} silent, trying ${locatorKey(ev.ev.next)}`);
    else if (ev.type === "fa" && ev.ev.type === "fa-moved") console.error(`hipmm: FA node ${locatorKey(ev.ev.next)} took over from ${locatorKey(ev.ev.fa)} (same lease)`);
    else if (ev.type === "mobility" && ev.ev.type === "path-changed" && ev.ev.path) console.error(`hipmm: path ${locatorKey(ev.ev.path.from)} → ${locatorKey(ev.ev.path.to)} (${ev.ev.reason})`);
    // Mobility's liveness ACs (PROTOCOL §8) or, without mobility, the heartbeat UPDATE (§7.8).
    else if (ev.type === "reachability" && ev.reachable) console.error(`hipmm: ${hitToString(ev.peerHit)} answers again (silent ${secs(ev.silentMs)})`);
    else if (ev.type === "reachability") console.error(`hipmm: no answer from ${hitToString(ev.peerHit)} for ${secs(ev.silentMs)}${host.stack.mobility ? ` on any path: probing${deadMs ? ` (given up after ${secs(deadMs)} more)` : ""}` : ": heartbeat UPDATE unanswered, retrying"}`);
    else if (ev.type === "sa-rekey") rekeyLine(ev);
  });
  // A rekey (UPDATE, PROTOCOL §7.8) is worth a line, at most one per second (a low --rekey-after
  // rekeys often): later ones in that second are counted into the next line.
  let rekeyShownAt = Number.NEGATIVE_INFINITY;
  let rekeysUnshown = 0;
  const rekeyLine = (ev: { peerHit: Uint8Array; inbound: { spi: number }; outbound: { spi: number } }): void => {
    const now = performance.now();
    if (now - rekeyShownAt < 1000) {
      rekeysUnshown++;
      return;
    }
    rekeyShownAt = now;
    const more = rekeysUnshown ? ` (+${rekeysUnshown} more since the last line)` : "";
    rekeysUnshown = 0;
    console.error(`hipmm: new ESP keys with ${hitToString(ev.peerHit)}: in 0x${ev.inbound.spi.toString(16)}, out 0x${ev.outbound.spi.toString(16)} (UPDATE rekey)${more}`);
  };
  const innerRun = runInner(host, inner, () => current, (l) => console.error(`hipmm: ${l}`));
  // --connect names our peer: the base exchange runs at start and again whenever a line finds no
  // association (the peer was not up yet, closed, or timed out), one exchange at a time; while
  // lines wait, a failed one is tried again after a second.
  let connecting = false;
  let stopping = false;
  let ended = false;
  let finish: (() => void) | undefined;
  let pausedOnce = false;
  let lastFailure = "";
  const maybeFinish = () => {
    if (ended && lines.idle) finish?.();
  };
  const associate = () => {
    if (!peer || connecting || stopping) return;
    connecting = true;
    host
      .connect(peer.loc, peer.hit)
      .then(() => {
        lastFailure = "";
      })
      .catch((e: Error) => {
        if (stopping) return;
        const held = lines.held;
        // The same failure again (a retry while lines wait) is not repeated every second.
        if (e.message !== lastFailure || !held) console.error(`hipmm: ${e.message}${held ? ` (${held} line(s) held${ended ? "" : "; trying again in 1 s"})` : ""}`);
        lastFailure = e.message;
        if (ended) finish?.();
        else if (held) setTimeout(associate, 1000).unref();
      })
      .finally(() => {
        connecting = false;
      });
  };
  // Out only over an association with SAs; during an exchange and after one ends, lines wait
  // (host-lines.ts: bounded; stdin pauses when full).
  const lines = new LineSender({
    send: (data) => {
      if (!current || !host.stack.canSend(current)) return "no-association";
      const s = host.send(current, port, port, data);
      if (s === "seal-failed") return host.stack.sealRefused ? "busy" : "failed";
      return s === "no-association" || s === "too-big" ? s : "sent";
    },
    associate,
    pause: () => {
      process.stdin.pause();
      if (!pausedOnce) console.error(`hipmm: ${lines.maxHeld} lines waiting${peer ? "" : " for a peer"}: stdin is read again as they are sent (said once)`);
      pausedOnce = true;
    },
    resume: () => process.stdin.resume(),
    log: (l) => console.error(`hipmm: ${l}`),
  });
  associate();

  if (!io.noStdin) {
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk: string) => lines.input(chunk));
  }
  let code = 0;
  const finished = new Promise<void>((resolve) => {
    const stop = () => resolve();
    innerRun.done?.then((c) => {
      code = c;
      stop();
    });
    // With --ping the pings decide when to stop (ping(8) does not read stdin): its end is ignored.
    if (!io.noStdin && !innerRun.done) {
      process.stdin.on("end", () => {
        lines.end();
        ended = true;
        // Said, not silent: a server started with stdin at /dev/null would otherwise vanish.
        console.error(`hipmm: end of stdin: closing${!lines.idle && peer ? " once the waiting lines are sent" : ""} (--no-stdin keeps the host running)`);
        finish = () => {
          finish = undefined;
          setTimeout(stop, 200); // let the last datagrams leave
        };
        // Without a peer to call, what waits cannot go: close now (and say so below). With one,
        // the lines wait for the exchange under way, but not for its whole retransmission schedule
        // (a dead peer): without an association after END_WAIT_MS, close and say what never left.
        if (!peer) finish();
        else {
          maybeFinish();
          setTimeout(() => {
            if (!current || !host.stack.canSend(current)) finish?.();
          }, END_WAIT_MS).unref();
        }
      });
    }
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await finished;
  stopping = true;
  if (!lines.idle) console.error(`hipmm: ${lines.unsent} held line(s) not sent (no association)`);
  innerRun.stop();
  if (current && host.stack.canSend(current)) {
    await host.closeAssociation(current, 500); // CLOSE / CLOSE_ACK (RFC 7401 §5.3.7), bounded wait
  }
  stats.stop();
  watch?.stop();
  await host.close();
  capture.close();
  process.stdin.destroy();
  return code;
}

/** At end of stdin, how long waiting lines wait for a base exchange under way. */
const END_WAIT_MS = 3000;

export const command: Command = { summary: HOST_SPEC.summary, run: hostCommand };

/** One association in a stats line (JSON): HIT, state, path "local → peer", SPIs in hex. */
function peerLine(p: PeerInfo): Record<string, unknown> {
  const hex = (x: number) => `0x${(x >>> 0).toString(16).padStart(8, "0")}`;
  return {
    peer: hitToString(p.peerHit),
    state: p.state,
    initiator: p.initiator,
    path: p.path ? `${locatorKey(p.path.local)} → ${locatorKey(p.path.peer)}` : null,
    spiIn: hex(p.spiIn),
    spiOut: hex(p.spiOut),
    espSuite: p.espSuite,
    heardMsAgo: p.heardMsAgo ?? null,
  };
}
