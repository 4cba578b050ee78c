// Guided exercises: a question about the run on screen whose answer is checked against that run
// (the numbers come from the run itself, so they hold for any seed or lab change).
import type { Source } from "./sources.ts";
import { esc } from "./svg.ts";

export interface Exercise {
  id: string;
  /** Scenarios it applies to (lab ones). */
  scenarios: string[];
  question: string;
  /** The expected answer for this run, or undefined if the run cannot answer it. */
  answer(src: Source): number | undefined;
  tolerance: number;
  why: string;
}

export const EXERCISES: Exercise[] = [
  {
    id: "rtt-toward-mover",
    scenarios: ["handover", "handover-fast", "make-before-break", "renumber"],
    question: "After A's address changes, how many ms until data from B reaches A at its new address (B→A)? How many round trips (20 ms each) is that, and why?",
    // The summary's number, not the first datagram after a gap: with make-before-break and
    // renumbering B's data never stops (the old address still works), so there is no gap.
    answer: (s) => (typeof s.summary?.handover_ms_to_mover === "number" ? s.summary.handover_ms_to_mover : undefined),
    tolerance: 0.5,
    why: "B must not send data to an unverified address (§6.5): REA (½ RTT), AC (½), ACR (½), then the data itself (½) = 2 RTT. With source credit (handover-fast) B may use the REA's source at once: 1 RTT.",
  },
  {
    id: "flood-probes",
    scenarios: ["flood-attack", "flood-attack-credit"],
    question: "B claims the victim's address 8 times. How many HIP packets does A send to the victim during the whole run? What stops the flood?",
    answer: (s) => (typeof s.summary?.ac_probes_to_unverified === "number" ? s.summary.ac_probes_to_unverified : undefined),
    tolerance: 0,
    why: "Only AC probes ever go to an unverified address, and A's probe budget (3 per minute, 300 bytes) caps them; data waits for an ACR, which the victim never sends (§4.3, §8).",
  },
  {
    id: "fa-detect",
    scenarios: ["fa-crash"],
    question: "The FA crashes at 1000 ms. How many ms after the crash does data from A reach B again (A's REA with ESP via FA2)? What does the FA know about A?",
    answer: (s) => (typeof s.summary?.handover_ms_from_mover === "number" ? s.summary.handover_ms_from_mover : undefined),
    tolerance: 0.5,
    why: "A hears nothing for 100 ms, retries its lease renewal 3 times (50+100+200 ms), then leases from FA2 and sends an REA. The FA knows only A's HIT, its current address and the SPI range it leased — with privacy on, B never sees A's real address (§3.2, §4.4).",
  },
  {
    id: "dead-peer",
    scenarios: ["peer-dead"],
    question: "B loses power at 1000 ms. How many ms later does A report B unreachable? Why does A not say so at once, and why does it wait much longer before giving the association up?",
    answer: (s) => (typeof s.summary?.unreachable_ms === "number" ? s.summary.unreachable_ms : undefined),
    tolerance: 0.5,
    why: "A last hears B up to 10 ms after the cut (B's datagrams in flight); its next datagram then goes unanswered. A asks with a liveness AC after probeIntervalMs (50 ms) and declares the path failed after failoverTimeoutMs (150 ms) of silence; B has no other path, so it is unreachable. A single lost packet or a short burst must not count as a dead peer, and giving up (peerDeadMs, 1 s here) drops keys and state the peer may still need: a peer that comes back before then just answers the next AC.",
  },
];

export function exercisesHtml(scenario: string): string {
  const list = EXERCISES.filter((e) => e.scenarios.includes(scenario));
  if (!list.length) return `<p class="dim">Exercises exist for handover, handover-fast, make-before-break, renumber, the flood attacks, fa-crash and peer-dead.</p>`;
  return list
    .map(
      (e) => `<form class="exercise" data-exercise="${e.id}"><p>${esc(e.question)}</p>
      <label class="field">answer <input type="number" step="any" name="answer" aria-label="answer to: ${esc(e.question)}" /></label>
      <button type="submit">Check</button> <span class="verdict" role="status"></span></form>`,
    )
    .join("");
}

/** Check an answer against the run: [correct, message]. */
export function checkAnswer(id: string, value: string, src: Source): [boolean, string] {
  const e = EXERCISES.find((x) => x.id === id);
  const want = e?.answer(src);
  if (!e || want === undefined) return [false, "this run cannot answer that question (play it to the end, or the event did not happen)"];
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v)) return [false, "enter a number"];
  if (Math.abs(v - want) <= e.tolerance) return [true, `correct: ${want}. ${e.why}`];
  return [false, `not quite — look at the sequence diagram and the counters (hint: ${v < want ? "more" : "less"}).`];
}

/** Answer checking for the forms in `root` (delegated: the forms are re-rendered per scenario). */
export function wireExercises(root: HTMLElement, current: () => Source | undefined): void {
  root.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const form = (ev.target as HTMLElement).closest("form[data-exercise]") as HTMLFormElement | null;
    const src = current();
    if (!form || !src) return;
    const input = form.querySelector("input") as HTMLInputElement;
    const [ok, msg] = checkAnswer(form.dataset.exercise ?? "", input.value, src);
    const verdict = form.querySelector(".verdict") as HTMLElement;
    verdict.textContent = msg;
    verdict.dataset.ok = String(ok);
  });
}
