// REA signature verification as a crypto job (issue 12; docs/ARCHITECTURE.md "Crypto jobs").
// In job mode the extension first opens the REA with a probing verifier (checksum, HITs, HMAC
// checked and the parameters parsed, the signature input captured), asks the core for a `verify`
// job with the association's peer HI (the provider caches its imported key: one native verify per
// REA), and when the result is back hands the REA to the session as usual: its `open` then
// returns the probe's result (or bad-signature) without parsing again. A packet that fails
// before its signature (malformed, HMAC) is processed at once, so its drop is counted exactly
// as without jobs.
import type { Locator, Millis } from "../core/types.ts";
import type { Association } from "../hip/association.ts";
import type { CryptoJobs } from "../hip/crypto-jobs.ts";
import type { MobilityContext, OpenResult } from "./context.ts";

/** REA verifications in flight per association; more are dropped (`drop.crypto_pending`). */
const MAX_IN_FLIGHT = 4;

export class ReaSignatures {
  private probing: { data: Uint8Array; sig: Uint8Array } | undefined;
  private capture = false;
  /** Results of verified REAs, by the received datagram (the same array is handed in again). */
  private readonly opened = new WeakMap<Uint8Array, OpenResult>();
  private inFlight = 0;

  /** The codec's verifier: while probing it captures the input and says yes; else `direct`. */
  verify(data: Uint8Array, sig: Uint8Array, direct: () => boolean): boolean {
    if (!this.capture) return direct();
    this.probing = { data, sig };
    return true;
  }

  /** `ctx` whose open() answers from a finished job for the datagram it was run for. */
  wrap(ctx: MobilityContext): MobilityContext {
    return {
      seal: (msg, from, to) => ctx.seal(msg, from, to),
      spis: (id) => ctx.spis(id),
      open: (data, from, to) => {
        const r = this.opened.get(data);
        if (!r) return ctx.open(data, from, to);
        this.opened.delete(data);
        return r;
      },
    };
  }

  /**
   * True when the REA in `raw` waits for a verify job (`then` runs when its result is in; the
   * caller returns). False: process it now (no signature reached, or its result is ready).
   * `ctx`: the unwrapped codec context.
   */
  defer(now: Millis, jobs: CryptoJobs, a: Association, ctx: MobilityContext, raw: Uint8Array, from: Locator, to: Locator, then: (now: Millis) => void, count: (reason: string) => void): boolean {
    const peer = a.peerIdentity;
    if (!peer || this.opened.has(raw)) return false;
    this.capture = true;
    this.probing = undefined;
    let r: OpenResult;
    try {
      r = ctx.open(raw, from, to);
    } finally {
      this.capture = false;
    }
    const p = this.probing as { data: Uint8Array; sig: Uint8Array } | undefined;
    this.probing = undefined;
    if (!p) return false;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      count("drop.crypto_pending");
      return true;
    }
    this.inFlight++;
    const ok = jobs.request(now, { op: "verify", peer, data: p.data, signature: p.sig }, (now, valid) => {
      this.inFlight--;
      this.opened.set(raw, valid ? r : { ok: false, reason: "bad-signature" });
      then(now);
    });
    if (!ok) {
      this.inFlight--;
      count("drop.crypto_busy");
    }
    return true;
  }
}
