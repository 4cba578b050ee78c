// What the live lab page needs to reach its Forwarding Agents and UDP peer (served as
// live.json by the dev server, src/lab/live-node.ts). Browser-safe: types only.
import type { Locator } from "../core/types.ts";

/** One FA as the page sees it: its UDP locator and the tunnel endpoints it offers. */
export interface LiveFa {
  name: string;
  udp: Locator;
  hit: string;
  /** https://127.0.0.1:PORT/hipmm and the SHA-256 of its certificate (hex). */
  wt?: { url: string; hash: string };
  /** ws://127.0.0.1:PORT */
  ws?: string;
  server: "deno" | "node";
}

/** What the live page needs (served as live.json). */
export interface LiveConfig {
  fas: LiveFa[];
  peer: { locator: Locator; hit: string };
}

