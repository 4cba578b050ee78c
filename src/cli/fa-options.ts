// The options of `hipmm fa`: one table entry each gives the parser, the usage line and the
// --help text (src/cli/options.ts). To add a flag: add its entry here, read it in fa.ts.
import type { CommandSpec } from "./options.ts";
import { FA_LIMIT_OPTIONS } from "./limit-options.ts";
import { STATS_OPTIONS } from "./stats.ts";

export const FA_SPEC: CommandSpec = {
  name: "fa",
  summary: "run a Forwarding Agent (address leases, forwarding, WebSocket tunnels)",
  options: [
    { name: "id", arg: "FILE", required: true, help: "identity keyfile; created (mode 0600) if it does not exist" },
    { name: "udp", arg: "IP:PORT", required: true, repeat: true, help: "control locator to bind; IPv4 ones are also the shared IPv4 locators leased with SPI ranges (addr type 4)" },
    { name: "ws", arg: "IP:PORT", default: "none", example: "127.0.0.1:8080", help: "also accept WebSocket tunnels (browsers, edge runtimes) on this TCP locator" },
    { name: "store", arg: "FILE|URL", default: "in memory", example: "redis://127.0.0.1:6379", help: "SQLite file persisting the leases across restarts, or redis://HOST:PORT[/DB][?prefix=NAME] shared by a fleet" },
    { name: "spi-range", arg: "LO-HI", default: "0x10000-0xffffffff", example: "0x10000-0x1ffff", help: "SPI space leased on shared IPv4 locators (decimal or 0x hex)" },
    { name: "node", arg: "NAME", default: "none", example: "a", help: "run as this node of a fleet sharing a redis:// --store (docs/OPERATIONS.md)" },
    { name: "fleet-key", arg: "FILE", default: "none", help: "fleet secret (32+ bytes, mode 0600; created if missing) authenticating node-to-node packets" },
    { name: "fleet", arg: "IP:PORT", default: "first --udp IP, any port", help: "node-to-node UDP locator of this node" },
    { name: "fleet-heartbeat", arg: "MS", default: "20", help: "authenticated heartbeat to every other node this often (docs/PROTOCOL.md §13.1)" },
    { name: "fleet-dead-after", arg: "N", default: "4", help: "a node silent for N heartbeat intervals (or refused by ICMP at once) is down: its hosts are taken over by the node their packets reach" },
    { name: "fleet-registry", arg: "MS", default: "500", help: "refresh this node's entry in the Redis registry this often (it lives 4 refreshes)" },
    { name: "shared", arg: "IP:PORT", repeat: true, default: "the IPv4 --udp", help: "shared IPv4 locator leased with SPI ranges, bound by every node (SO_REUSEADDR; a VIP across machines)" },
    { name: "allow", arg: "HITS", repeat: true, default: "anyone", help: "only these hosts (HITs, comma-separated) may lease an address" },
    { name: "deny", arg: "HITS", repeat: true, default: "none", help: "these hosts (HITs, comma-separated) may not lease an address" },
    { name: "lease-max", arg: "SECONDS", default: "3600", help: "longest lease granted (draft §5.1)" },
    { name: "pool6", arg: "IP:LO-HI", repeat: true, default: "none", help: "dedicated locators (IP, ports LO..HI, at most 4097) leased for addr type 6" },
    { name: "puzzle", arg: "off|on|auto", default: "auto", help: "ask FAQ senders to solve a puzzle first: never, always, or under load" },
    { name: "holder-silence", arg: "MS", default: "1000", help: "probe a lease holder silent this long while traffic is forwarded to it (PING/PONG); 0 = off" },
    { name: "holder-probe", arg: "MS", default: "300", help: "interval between holder probes; after 3 unanswered the holder is dead: nothing is forwarded to it until it is heard again" },
    { name: "holder-queue", arg: "N", default: "512", help: "most datagrams forwarded to a holder whose probe is unanswered (the rest dropped, counted)" },
    { name: "log", arg: "text|json", default: "text", help: "log line format on stdout" },
    ...FA_LIMIT_OPTIONS,
    ...STATS_OPTIONS,
  ],
  notes: [
    "The first --udp locators are the control locators (draft §4.4; docs/PROTOCOL.md §9). SIGINT/SIGTERM shut down",
    "gracefully; SIGUSR1 prints the counters as one JSON line (see --stats). Exit 1 on a runtime failure, 2 on a usage error.",
  ],
  examples: [
    "hipmm fa --id fa.key --udp 127.0.0.3:10500 --ws 127.0.0.3:8080 --store fa.db",
    "hipmm fa --id fleet.key --udp 127.0.0.2:10500 --shared 127.0.0.10:10500 --store redis://127.0.0.1:6379 --node a --fleet-key fleet.secret",
  ],
};
