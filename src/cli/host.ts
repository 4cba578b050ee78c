// `hipmm host --id FILE --listen IP:PORT [--listen …] [--connect [HIT@]IP:PORT] [--port N]
//  [--pcap FILE] [--esp-sa FILE] [--k N] [--fa IP:PORT …] [--privacy] [--no-mobility] [--allow HIT …]`: like
// `nc -u`, but over HIP. stdin lines go to the peer as ESP datagrams; what arrives is written to
// stdout. Status lines go to stderr. Mobility (REA/AC/ACR) is on; `--fa` leases an address from
// a Forwarding Agent (later ones are fallbacks, draft §4.4.2) and announces it as the FA
// logical interface (§6.4); `--privacy` announces only the leased address (§3.2).
import { hitFromString, hitKey, hitToString } from "../hip/hit.ts";
import type { HipHostConfig } from "../hip/types.ts";
import { loadIdentity } from "../hip/keyfile-node.ts";
import { PEER_PROFILES } from "../hip/profile.ts";
import type { Locator } from "../core/types.ts";
import { locatorKey } from "../core/types.ts";
import { startNodeHost } from "../runtime/node.ts";
import type { RuntimeHost } from "../runtime/host.ts";
import { parseLocator } from "../transport/types.ts";
import { parseArgs } from "./args.ts";
import { captureHooks } from "../runtime/capture-node.ts";
import type { Command } from "./main.ts";

const USAGE =
  "usage: hipmm host --id FILE --listen IP:PORT [--listen IP:PORT…] [--connect [HIT@]IP:PORT] [--port N] [--k N] [--pcap FILE] [--esp-sa FILE] [--fa IP:PORT…] [--privacy] [--no-mobility] [--allow HIT…] [--host-id-clear] [--no-r1-counter] [--dh LIST] [--esp LIST] [--rto-ms N] [--peer-profile rfc|cutehip]";

function parsePeer(text: string): { hit?: Uint8Array; loc: Locator } | undefined {
  const at = text.lastIndexOf("@");
  const loc = parseLocator(at >= 0 ? text.slice(at + 1) : text);
  if (!loc) return undefined;
  if (at < 0) return { loc };
  const hit = hitFromString(text.slice(0, at));
  return hit ? { hit, loc } : undefined;
}

export async function hostCommand(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { flags: ["help", "privacy", "no-mobility", "host-id-clear", "no-r1-counter"], options: ["id", "listen", "connect", "port", "pcap", "esp-sa", "k", "fa", "allow", "dh", "esp", "rto-ms", "peer-profile"], aliases: { h: "help" } });
  if (!p.ok) {
    console.error(`hipmm host: ${p.error}\n${USAGE}`);
    return 2;
  }
  const a = p.args;
  if (a.has("help")) {
    console.log(USAGE);
    return 0;
  }
  const idFile = a.get("id");
  const listen = a.getAll("listen");
  const port = a.int("port") ?? 5000;
  const k = a.int("k");
  const peer = a.get("connect") !== undefined ? parsePeer(a.get("connect")!) : undefined;
  const fas = a.getAll("fa").map(parseLocator);
  // --allow HIT…: only these peers may associate with us (RFC 7401 NOTIFY BLOCKED_BY_POLICY otherwise).
  const allow = a.getAll("allow").map((h) => hitFromString(h));
  if (allow.some((h) => !h)) {
    console.error(`hipmm host: --allow takes HITs\n${USAGE}`);
    return 2;
  }
  const allowed = new Set(allow.map((h) => hitKey(h!)));
  const hip: Partial<HipHostConfig> = k === undefined ? {} : { puzzleK: k };
  if (allowed.size > 0) hip.accept = (hit) => allowed.has(hitKey(hit));
  // Interop switches (docs/PROTOCOL.md §11): HOST_ID in clear in I2, no R1_COUNTER in R1,
  // DH groups / ESP suites in preference order.
  if (a.has("host-id-clear")) hip.encryptHostId = false;
  if (a.has("no-r1-counter")) hip.r1Counter = false;
  const numList = (name: string) => a.get(name)?.split(",").map((x) => Number.parseInt(x, 10));
  const dh = numList("dh");
  const esp = numList("esp");
  // First retransmission timeout of I1 / I2 / CLOSE (RFC 7401 §6.6; default 1000 ms).
  const rto = a.int("rto-ms");
  if (rto !== undefined) hip.retransmit = { initialMs: rto };
  // --peer-profile NAME: follow that implementation's wire deviations (src/hip/profile.ts).
  const profName = a.get("peer-profile");
  const profile = profName !== undefined && Object.hasOwn(PEER_PROFILES, profName) ? PEER_PROFILES[profName] : undefined;
  if (profName !== undefined && !profile) {
    console.error(`hipmm host: unknown --peer-profile ${profName} (${Object.keys(PEER_PROFILES).join(", ")})\n${USAGE}`);
    return 2;
  }
  if (profile) hip.peerProfile = profile;
  // Its fixed parameter sets: HOST_ID in clear, no R1_COUNTER (also per peer in the core).
  if (profile?.fixedParameterSets) {
    hip.encryptHostId = false;
    hip.r1Counter = false;
  }
  if (dh) hip.dhGroups = dh;
  if (esp) hip.espSuites = esp;
  if ([...(dh ?? []), ...(esp ?? []), rto ?? 0].some((x) => !Number.isInteger(x) || x < 0)) {
    console.error(`hipmm host: --dh / --esp take comma-separated numbers, --rto-ms a number\n${USAGE}`);
    return 2;
  }
  if (!idFile || listen.length === 0 || Number.isNaN(port) || (k !== undefined && Number.isNaN(k)) || (a.has("connect") && !peer) || fas.some((f) => !f) || (fas.length > 0 && a.has("no-mobility"))) {
    console.error(USAGE);
    return 2;
  }
  const identity = await loadIdentity(idFile);
  const capture = captureHooks(a.get("pcap"), a.get("esp-sa"));
  let host: RuntimeHost;
  try {
    const fa = fas.length ? { fas: fas.map((l) => ({ locator: l! })), addrType: 4 as const, spis: 16, privacy: a.has("privacy") } : undefined;
    // noUpdateExtensions: no REA / AC towards a peer that cannot answer them.
    const mobility = a.has("no-mobility") || profile?.noUpdateExtensions ? false : {};
    host = await startNodeHost({ identity, listen, hip, tap: capture.tap, mobility, fa });
  } catch (e) {
    console.error(`hipmm host: ${(e as Error).message}`);
    capture.close();
    return 1;
  }
  console.error(`hipmm: ${hitToString(host.hit)} listening on ${host.locals.map(locatorKey).join(" ")}`);

  let current: Uint8Array | undefined = peer?.hit;
  const backlog: Uint8Array[] = [];
  host.on("event", capture.onEvent);
  host.on("established", (ev) => {
    current = ev.peerHit;
    console.error(`hipmm: established ${hitToString(ev.peerHit)} at ${locatorKey(ev.peer)}`);
    for (const d of backlog.splice(0)) host.send(ev.peerHit, port, port, d);
  });
  host.on("failed", (ev) => console.error(`hipmm: association with ${hitToString(ev.peerHit)} failed: ${ev.reason}`));
  host.on("closed", (ev) => console.error(`hipmm: association with ${hitToString(ev.peerHit)} closed (${ev.reason})`));
  host.on("message", (ev) => process.stdout.write(ev.data));
  host.on("event", (ev) => {
    if (ev.type === "fa" && ev.ev.type === "leased") console.error(`hipmm: leased ${locatorKey(ev.ev.lease.locator)} from FA ${locatorKey(ev.ev.lease.fa.locator)}${ev.ev.renewed ? " (renewed)" : ""}`);
    else if (ev.type === "fa" && ev.ev.type === "refused") console.error(`hipmm: FA refused: ${ev.ev.reasonName} ${ev.ev.message}`);
    else if (ev.type === "fa" && ev.ev.type === "fa-dead") console.error(`hipmm: FA ${locatorKey(ev.ev.fa)} silent, trying ${locatorKey(ev.ev.next)}`);
    else if (ev.type === "mobility" && ev.ev.type === "path-changed" && ev.ev.path) console.error(`hipmm: path ${locatorKey(ev.ev.path.from)} → ${locatorKey(ev.ev.path.to)} (${ev.ev.reason})`);
  });
  if (peer) host.connect(peer.loc, peer.hit).catch((e: Error) => console.error(`hipmm: ${e.message}`));

  const sendLine = (line: string) => {
    const data = new TextEncoder().encode(`${line}\n`);
    if (!current || host.send(current, port, port, data) === "no-association") backlog.push(data);
  };
  let pending = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => {
    pending += chunk;
    for (let i = pending.indexOf("\n"); i >= 0; i = pending.indexOf("\n")) {
      sendLine(pending.slice(0, i));
      pending = pending.slice(i + 1);
    }
  });
  const finished = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.stdin.on("end", () => {
      if (pending) sendLine(pending);
      setTimeout(stop, 200); // let the last datagrams leave
    });
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await finished;
  if (current && host.stack.canSend(current)) {
    host.closeAssociation(current);
    await new Promise((r) => setTimeout(r, 100)); // CLOSE / CLOSE_ACK (RFC 7401 §5.3.7), best effort
  }
  await host.close();
  capture.close();
  process.stdin.destroy();
  return 0;
}

export const command: Command = { summary: "run a HIP host: stdin lines to the peer over ESP, arrivals to stdout", run: hostCommand };
