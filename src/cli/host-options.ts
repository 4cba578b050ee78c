// The options of `hipmm host`: one table entry each gives the parser, the usage line and the
// --help text (src/cli/options.ts). To add a flag: add its entry here, read it in host.ts.
import type { CommandSpec } from "./options.ts";
import { INTEROP_OPTIONS } from "./host-interop-options.ts";
import { IO_OPTIONS } from "./host-io.ts";
import { HOST_LIMIT_OPTIONS } from "./limit-options.ts";
import { NET_OPTIONS } from "./host-net-options.ts";
import { STATS_OPTIONS } from "./stats.ts";

export const HOST_SPEC: CommandSpec = {
  name: "host",
  summary: "run a HIP host: stdin lines go to the peer over ESP, arrivals go to stdout (like `nc -u`, over HIP)",
  options: [
    { name: "id", arg: "FILE", required: true, help: "identity keyfile (from `hipmm keygen`)" },
    { name: "listen", arg: "IP:PORT", required: true, repeat: true, help: "local UDP locator to bind, [IPv6]:PORT for IPv6; port 0 picks one; several = multi-homing" },
    { name: "connect", arg: "[HIT@]IP:PORT", default: "wait for a peer", help: "run a base exchange with this peer, and again whenever a line finds no association; lines wait for it, in order (with 1024 waiting, stdin is paused, not dropped); without HIT@, opportunistic mode (RFC 7401 §4.1.8)" },
    { name: "port", arg: "N", default: "5000", help: "inner UDP port of the datagrams carried over ESP (source and destination)" },
    { name: "k", arg: "N", default: "8", help: "puzzle difficulty K we ask of initiators (RFC 7401 §4.1.2)" },
    { name: "fa", arg: "IP:PORT", repeat: true, default: "none", help: "lease an address from this Forwarding Agent; more = fallbacks (draft §4.4.2)" },
    { name: "privacy", help: "with --fa: announce only the leased address (draft §3.2)" },
    { name: "no-mobility", help: "turn REA/AC/ACR mobility off (plain HIPv2 + ESP)" },
    { name: "allow", arg: "HIT", repeat: true, default: "anyone", help: "only these peers may associate (others get NOTIFY BLOCKED_BY_POLICY)" },
    { name: "data-plane", arg: "inline|worker|worker-io", default: "inline", help: "where ESP runs: this thread; a Worker (batches); a Worker that also owns the UDP sockets, so the data path never touches this thread (off with --pcap)" },
    { name: "pcap", arg: "FILE", default: "none", help: "write every UDP/10500 datagram in and out to a pcap file" },
    { name: "esp-sa", arg: "FILE", default: "none", help: "write each SA as a tshark esp_sa line (contains keys; mode 0600)" },
    { name: "rekey-after", arg: "N", default: "4294901760 (2^32 - 2^16)", example: "1000", help: "rekey with UPDATE (RFC 7402 §6.8) once N datagrams were sealed on an SA: a new SA pair each way (watch it with --pcap and --esp-sa)" },
    { name: "rekey-dh", arg: "exhausted|always", default: "exhausted", help: "when a rekey brings a new Diffie-Hellman and a new KEYMAT (RFC 7402 §6.10): once KEYMAT has no pair left (about 300 rekeys), or on every rekey (keys independent of the old ones)" },
    { name: "icmp", arg: "answer|print|off", default: "answer", help: "ICMPv6 Echo Requests to our HIT: answer them; print: also print every non-UDP inner packet; off: neither" },
    { name: "ping", arg: "N", default: "none", help: "send N ICMPv6 Echo Requests to the peer HIT, print each reply like ping(8), then exit (0 if any reply)" },
    { name: "ping-interval", arg: "MS", default: "1000", help: "with --ping: milliseconds between requests" },
    { name: "ping-size", arg: "BYTES", default: "56", help: "with --ping: data bytes per request (0..1400)" },
    ...IO_OPTIONS,
    ...NET_OPTIONS,
    ...HOST_LIMIT_OPTIONS,
    ...INTEROP_OPTIONS,
    ...STATS_OPTIONS,
  ],
  notes: [
    "Status lines go to stderr, peer data to stdout. SIGINT/SIGTERM or end of stdin (unless --no-stdin or --ping) close the association (CLOSE) and exit; at end of stdin, lines still waiting go first (for an exchange under way, at most 3 s).",
    "Each line is one datagram (UDP: a receiver that falls behind loses some, as with nc -u); a line over 65,426 bytes is not sent (said on stderr).",
    "SIGUSR1 prints the counters as one JSON line (see --stats). Exit 1 on a runtime failure, 2 on a usage error.",
  ],
  examples: [
    "hipmm keygen -o b.key && hipmm host --id b.key --listen 127.0.0.1:10500",
    "hipmm host --id a.key --listen 127.0.0.1:10501 --connect 127.0.0.1:10500 --pcap a.pcap --esp-sa a.esp_sa",
    "hipmm host --id b.key --listen 127.0.0.1:10500 --echo --output lines   # an echo server, one datagram per line",
    "hipmm host --id b.key --listen 127.0.0.1:10500 --echo --no-stdin &   # the same in the background (stdin not read)",
  ],
};
