// REA signature verification as a crypto job (issue 12; docs/ARCHITECTURE.md "Crypto jobs").
// In job mode the extension first opens the REA with a probing verifier (HMAC checked, the
// signature input captured, nothing else done), asks the core for a `verify` job with the
// association's peer HI (the provider caches its imported key: one native verify per REA), and
// when the result is back processes the REA as usual: the codec's verifier then answers from
// the verified result. A packet that fails before its signature (malformed, HMAC) is processed
// at once, so its drop is counted exactly as without jobs.
import { equalBytes } from "../core/bytes.ts";
import type { Locator, Millis } from "../core/types.ts";
import type { Association } from "../hip/association.ts";
import type { CryptoJobs } from "../hip/crypto-jobs.ts";
import type { MobilityContext } from "./context.ts";

/** REA verifications in flight per association; more are dropped (`drop.crypto_pending`). */
const MAX_IN_FLIGHT = 4;

interface Entry {
  data: Uint8Array;
  sig: Uint8Array;
  ok: boolean;
}

export class ReaSignatures {
  private probing: { data: Uint8Array; sig: Uint8Array } | undefined;
  private capture = false;
  private readonly done: Entry[] = [];
  private inFlight = 0;

  /** The codec's verifier: captures while probing, answers from a job's result, else `direct`. */
  verify(data: Uint8Array, sig: Uint8Array, direct: () => boolean): boolean {
    if (this.capture) {
      this.probing = { data, sig };
      return false;
    }
    const i = this.done.findIndex((e) => equalBytes(e.sig, sig) && equalBytes(e.data, data));
    if (i < 0) return direct();
    const [e] = this.done.splice(i, 1);
    return e.ok;
  }

  /**
   * True when the REA in `raw` waits for a verify job (`then` runs when its result is in; the
   * caller returns). False: process it now (no signature reached, or a result is ready).
   */
  defer(now: Millis, jobs: CryptoJobs, a: Association, ctx: MobilityContext, raw: Uint8Array, from: Locator, to: Locator, then: (now: Millis) => void, count: (reason: string) => void): boolean {
    const peer = a.peerIdentity;
    if (!peer) return false;
    this.capture = true;
    this.probing = undefined;
    try {
      ctx.open(raw, from, to);
    } finally {
      this.capture = false;
    }
    const p = this.probing as { data: Uint8Array; sig: Uint8Array } | undefined;
    this.probing = undefined;
    if (!p || this.done.some((e) => equalBytes(e.sig, p.sig) && equalBytes(e.data, p.data))) return false;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      count("drop.crypto_pending");
      return true;
    }
    this.inFlight++;
    const ok = jobs.request(now, { op: "verify", peer, data: p.data, signature: p.sig }, (now, valid) => {
      this.inFlight--;
      this.done.push({ data: p.data, sig: p.sig, ok: valid });
      if (this.done.length > MAX_IN_FLIGHT) this.done.shift();
      then(now);
    });
    if (!ok) {
      this.inFlight--;
      count("drop.crypto_busy");
    }
    return true;
  }
}
