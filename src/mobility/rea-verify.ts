// REA signatures as crypto jobs (issue 12; docs/ARCHITECTURE.md "Crypto jobs"): ours made, and
// the peer's verified. Signing: with an asynchronous provider the REA waits for its signature
// job (ReaSignatures.sign; the session sends it on signatureReady) instead of @noble blocking
// the event loop ~1.6 ms per REA. Verifying:
// in job mode the extension first opens the REA with a probing verifier (checksum, HITs, HMAC
// checked and the parameters parsed, the signature input captured), asks the core for a `verify`
// job with the association's peer HI (the provider caches its imported key: one native verify per
// REA), and when the result is back hands the REA to the session as usual: its `open` then
// returns the probe's result (or bad-signature) without parsing again. A packet that fails
// before its signature (malformed, HMAC) is processed at once, so its drop is counted exactly
// as without jobs.
import { equalBytes } from "../core/bytes.ts";
import type { Locator, Millis } from "../core/types.ts";
import type { Association } from "../hip/association.ts";
import type { CryptoJobs } from "../hip/crypto-jobs.ts";
import type { MobilityContext, OpenResult } from "./context.ts";

/** Signatures of ours kept per association (ReaSignatures.sign). */
const SIGNED_KEPT = 4;

/** REA verifications in flight per association; more are dropped (`drop.crypto_pending`). */
const MAX_IN_FLIGHT = 4;

export class ReaSignatures {
  private probing: { data: Uint8Array; sig: Uint8Array } | undefined;
  private capture = false;
  /** Results of verified REAs, by the received datagram (the same array is handed in again). */
  private readonly opened = new WeakMap<Uint8Array, OpenResult>();
  private inFlight = 0;

  /** Our signatures made by crypto jobs, by the signed bytes (the last few: an REA's first
   * transmission, with its ESP datagram, and its retransmissions, without). */
  private readonly signed: { data: Uint8Array; sig: Uint8Array }[] = [];
  private readonly signing: Uint8Array[] = [];

  /**
   * Our HIP_SIGNATURE over `data`. Without `request`: `direct()` (node:crypto, or @noble in the
   * simulator). With it (an asynchronous provider: WebCrypto in browsers, Deno, Workers), from a
   * job: undefined until its result is in (`request` asks for it once and calls `done` then);
   * `direct()` when the core refuses the job or it failed.
   */
  sign(data: Uint8Array, direct: () => Uint8Array, request?: (data: Uint8Array, done: (sig: Uint8Array | undefined) => void) => boolean): Uint8Array | undefined {
    if (!request) return direct();
    for (const s of this.signed) if (equalBytes(s.data, data)) return s.sig;
    if (this.signing.some((d) => equalBytes(d, data))) return undefined;
    const copy = data.slice();
    this.signing.push(copy);
    const keep = (sig: Uint8Array) => {
      this.signed.push({ data: copy, sig });
      if (this.signed.length > SIGNED_KEPT) this.signed.shift();
    };
    const asked = request(copy, (sig) => {
      this.signing.splice(this.signing.indexOf(copy), 1);
      keep(sig instanceof Uint8Array ? sig : direct());
    });
    if (asked) return undefined;
    this.signing.splice(this.signing.indexOf(copy), 1);
    return direct();
  }

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
