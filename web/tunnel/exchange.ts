// The exchange the tunnel test page (main.ts) and the workerd tunnel Worker run: base exchange
// with a UDP host through the FA, then each message out and its echo back ("echo:" + text).
import type { Locator } from "../../src/core/types.ts";
import { hitToString } from "../../src/hip/hit.ts";
import type { TunnelHost } from "../../src/runtime/browser.ts";

/** What the page sends: small datagrams and one that needs more than a WebTransport datagram. */
export const PAGE_MESSAGES = ["hello from the browser", "second datagram", "x".repeat(1300)];

export interface ExchangeResult {
  ok: boolean;
  hit?: string;
  lease?: { locator: Locator; spiMin: number; spiMax: number };
  spiIn?: number;
  established?: string;
  replies?: string[];
  /** Milliseconds: base exchange, and all round trips. */
  bexMs?: number;
  rttMs?: number;
  counters?: Record<string, number>;
  error?: string;
}

export async function exchange(host: TunnelHost, peer: Locator, peerHit: Uint8Array, messages: string[], timeoutMs = 10_000): Promise<ExchangeResult> {
  const lease = host.lease!;
  const out: ExchangeResult = { ok: false, hit: hitToString(host.hit), lease: { locator: lease.locator, spiMin: lease.spiMin, spiMax: lease.spiMax } };
  const replies: string[] = [];
  let wake = () => {};
  host.on("message", (m) => {
    replies.push(new TextDecoder().decode(m.data));
    wake();
  });
  const t0 = performance.now();
  const hit = await host.connect(peer, peerHit, { timeoutMs });
  out.bexMs = Math.round(performance.now() - t0);
  out.established = hitToString(hit);
  out.spiIn = host.stack.host.association(hit)?.spiIn;
  const t1 = performance.now();
  for (const m of messages) host.send(hit, 7000, 7001, new TextEncoder().encode(m));
  const deadline = performance.now() + timeoutMs;
  while (replies.length < messages.length && performance.now() < deadline) {
    await new Promise<void>((r) => {
      wake = r;
      setTimeout(r, 50);
    });
  }
  out.rttMs = Math.round(performance.now() - t1);
  out.replies = replies;
  out.counters = { ...host.stack.counters };
  out.ok = replies.length === messages.length;
  return out;
}
