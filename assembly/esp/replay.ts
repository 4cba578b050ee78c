// Anti-replay window (RFC 4303 §3.4.3, Appendix A2-style circular bitmap): bit (s mod W)
// records whether sequence number s, T - W < s <= T, has been accepted. T = highest accepted.
import { SA_BITMAP, SA_SEQ, SA_WINDOW } from "./sa";

/** true when `seq` is new and not too old (checked before the ICV, §3.4.3). */
export function replayCheck(sa: usize, seq: u32): bool {
  if (seq === 0) return false; // the first packet carries 1 (§2.2)
  const t = load<u64>(sa, SA_SEQ);
  const s = <u64>seq;
  if (s > t) return true;
  const w = <u64>load<u32>(sa, SA_WINDOW);
  if (s + w <= t) return false;
  const bit = <usize>(s % w);
  return ((load<u32>(sa + SA_BITMAP + ((bit >> 5) << 2)) >> <u32>(bit & 31)) & 1) === 0;
}

/** Records `seq` after its ICV verified: slides the window forward if needed (§3.4.3). */
export function replayUpdate(sa: usize, seq: u32): void {
  const t = load<u64>(sa, SA_SEQ);
  const s = <u64>seq;
  const w = <u64>load<u32>(sa, SA_WINDOW);
  if (s > t) {
    if (s - t >= w) {
      memory.fill(sa + SA_BITMAP, 0, <usize>(w >> 3));
    } else {
      for (let k = t + 1; k <= s; k++) {
        const bit = <usize>(k % w);
        const p = sa + SA_BITMAP + ((bit >> 5) << 2);
        store<u32>(p, load<u32>(p) & ~(<u32>1 << <u32>(bit & 31)));
      }
    }
    store<u64>(sa, s, SA_SEQ);
  }
  const bit = <usize>(s % w);
  const p = sa + SA_BITMAP + ((bit >> 5) << 2);
  store<u32>(p, load<u32>(p) | (<u32>1 << <u32>(bit & 31)));
}
