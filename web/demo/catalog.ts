// The scenarios the demo offers: our two live base-exchange scripts plus every src/lab scenario
// (the same scripts `hipmm lab` runs), each with a short explanation citing the specs.
import { SCENARIOS, type ScenarioName } from "../../src/lab/scenarios.ts";
import type { LabSpec } from "../../src/lab/spec.ts";
import { bexSource, labSource, type Source } from "./sources.ts";

export interface ScenarioInfo {
  id: string;
  title: string;
  /** Short explanation (HTML allowed: <b>, <i>, <code>). */
  text: string;
  cites: string;
  /** Where the run comes from, shown under the text. */
  origin: string;
  /** Seed suggested when the scenario is picked (one that shows the point well). */
  seed?: number;
  /** Role shown in each host's box. */
  roles?: Record<string, string>;
  /** A src/lab scenario: the lab controls (links, actions) apply. */
  lab?: ScenarioName;
  build(seed: number, spec?: LabSpec): Promise<Source> | Source;
}

const bex: ScenarioInfo[] = [
  {
    id: "base-exchange",
    title: "Base exchange + ESP data",
    text:
      "Before any mobility, two hosts set up a HIP association. <b>A</b> (Initiator) sends <b>I1</b>; <b>B</b> answers with a pre-signed <b>R1</b> carrying a puzzle and its Diffie-Hellman key; A solves the puzzle and proves its identity in <b>I2</b>; B confirms with <b>R2</b>. Both sides derive KEYMAT and install a pair of ESP SAs. A's application datagrams wait in a queue until then, and B echoes each one back over ESP (BEET mode: inner addresses are the HITs).",
    cites: "RFC 7401 §4.1, §6.6–6.10 · RFC 7402 §3.1 (BEET) · RFC 4303",
    origin: "live: two HostStacks (HIP core + WASM ESP data plane) on the simulator",
    roles: { A: "Initiator", B: "Responder" },
    build: (seed) => bexSource(seed, { link: { latency: 15 }, puzzleK: 8, intervalMs: 20, end: 400 }),
  },
  {
    id: "base-exchange-lossy",
    title: "Base exchange over a bad path",
    text:
      "The same exchange over a path that loses 30% of datagrams and adds jitter. Watch lost packets (red ✕) and the Initiator's retransmissions of I1 and I2 with exponential back-off (here from 150 ms); the Responder keeps no state until a valid I2 arrives and answers a repeated I2 with R2 again. Seed 4 loses two I1s, an R1 and an I2.",
    cites: "RFC 7401 §4.1.1 (stateless R1), §4.4.3, §6.6 (retransmission) · RFC 4303 §3.4.3",
    origin: "live: two HostStacks on the simulator (30% loss, 5 ms jitter)",
    seed: 4,
    roles: { A: "Initiator", B: "Responder" },
    build: (seed) => bexSource(seed, { link: { latency: 15, jitter: 5, loss: 0.3 }, puzzleK: 8, intervalMs: 20, end: 2500, retransmitMs: 150 }),
  },
];

const LAB_TEXT: Record<string, { title: string; text: string; cites: string }> = {
  handover: {
    title: "Handover (break-before-make)",
    text:
      "A and B exchange 1 datagram/ms each way. At 1000 ms A's address changes at once. A tells B its new address in a signed <b>REA</b> (carrying A's next ESP datagram inside). B does not trust a claimed address yet: it sends an <b>AC</b> there, and only after A's <b>ACR</b> comes back does B move its traffic. Datagrams B sent to the old address meanwhile are lost.",
    cites: "draft-nikander-hip-mm-00 §3.1, §4.2, §4.3, §5.3, §6.1.1, §6.1.2, §6.4, §6.5",
  },
  "make-before-break": {
    title: "Make-before-break",
    text:
      "A's new interface comes up while the old one still works. A announces the new address as preferred (REA); B checks it (AC/ACR) and moves traffic while the old path keeps carrying data, so nothing is lost. Later the old address disappears quietly.",
    cites: "draft-nikander-hip-mm-00 §3.3, §4.1, §4.2, §5.3, §6.4",
  },
  failover: {
    title: "Multi-homed failover",
    text:
      "A has a fast and a slow interface. The fast link dies silently — nobody sends an REA. The hosts notice the silence, test the other address pair and move the traffic to the slow path after a bounded detection time.",
    cites: "draft-nikander-hip-mm-00 §3.3, §4.3, §7",
  },
  renumber: {
    title: "Site renumbering (IPv6)",
    text:
      "A's site gets a new IPv6 prefix; the old one is deprecated but stays valid for a second. A announces both (REA with lifetimes), B verifies the new one and switches before the old prefix is withdrawn.",
    cites: "draft-nikander-hip-mm-00 §3.6, §6.1.1.1 (lifetimes), §6.4",
  },
  "v4-to-v6": {
    title: "IPv4 → IPv6 move",
    text:
      "A moves from an IPv4-only network to an IPv6-only one. HIP identifies hosts by HIT, not address, so the association survives a change of address family; B must first check an IPv6 address of its own toward A.",
    cites: "draft-nikander-hip-mm-00 §3.5, §4.2, §4.3",
  },
  "handover-fast": {
    title: "Handover with source credit (beyond the draft)",
    text:
      "The handover of the first scenario, with QUIC-style path migration switched on: the REA arrived, authenticated, <i>from</i> A's new address, so B may send data there before the ACR — at most 3× the bytes it received from that address. Traffic toward A resumes after one round trip instead of two. Addresses that are only <i>listed</i> in an REA still get nothing but AC probes.",
    cites: "draft-nikander-hip-mm-00 §4.3, §6.5 (deviation, opt-in) · RFC 9000 §8.1, §9.3",
  },
  "flood-attack-credit": {
    title: "Flooding attack, source credit on",
    text:
      "The flooding attack again, with source credit switched on. B's REAs come from its new address 10.0.0.3, which A has not verified yet: credit goes to that source (B itself), so A's data reaches B one round trip sooner and fewer datagrams are lost than in the plain run — but the victim named in the REA still gets only budgeted AC probes and no data. Compare the two runs side by side.",
    cites: "draft-nikander-hip-mm-00 §4.3, §8 · RFC 9000 §8.1",
  },
  "double-move": {
    title: "Both ends move at once",
    text:
      "Both hosts hold address leases from Forwarding Agents, and both change their addresses within the same round trip. Each one's REA goes to the other's old address and is lost — but each is still reachable at its leased address, so the REAs and the address checks get through the FAs and the association recovers.",
    cites: "draft-nikander-hip-mm-00 §1, §3.5, §4.4, §6.4",
  },
  restart: {
    title: "A host restarts",
    text:
      "B crashes and comes back at once with the same identity and address, but no state: no association, no SAs. A does not know and keeps sending into SAs that no longer exist. After 50 ms of silence A checks the path with an AC; B has no association with A's HIT, so it <b>rejoins</b>: it sends an I1 (smaller than the AC it answers, never retransmitted), and A, still ESTABLISHED, replaces its association when B's I2 verifies. Data flows again about 2 RTT after A's check.",
    cites: "RFC 7401 §4.4.2 (I2 in ESTABLISHED), §5.4.4 · draft-nikander-hip-mm-00 §3.3 · docs/PROTOCOL.md §7.11",
  },
  "peer-dead": {
    title: "A peer vanishes",
    text:
      "B loses power and never comes back; nobody sends a CLOSE. A's data goes unanswered, so A asks with liveness ACs; with no other path to B, after the failover timeout (150 ms here) A reports B <b>unreachable</b> and keeps asking. When <code>peerDeadMs</code> (1 s here, 30 s by default) has passed without an answer, A gives the association up: its SAs go, no CLOSE is sent into the void, and the application sees <code>closed</code> with reason <code>unreachable</code>.",
    cites: "draft-nikander-hip-mm-00 §3.3 · RFC 7401 §4.4.2 (UAL) · docs/PROTOCOL.md §8 (dead peer)",
  },
  rekey: {
    title: "New keys under traffic (rekey)",
    text:
      "No address changes here: the hosts replace their ESP keys while data flows both ways, as they must long before a sequence number would wrap. A sends an UPDATE with a new <b>Diffie-Hellman</b> key; B answers with its own, and both derive a new KEYMAT that owes nothing to the old keys. Later B rekeys again, this time drawing the next SA pair from that KEYMAT. Each side installs its new inbound SA before the peer can use it and keeps the old one until the last datagram sealed on it has arrived: nothing is lost. Download the capture and the ESP keys to see every packet decrypt, before and after each rekey.",
    cites: "RFC 7402 §5.1.1, §6.8-§6.10 · RFC 7401 §5.3.5, §6.11 · docs/PROTOCOL.md §7.8",
  },
  "fa-crash": {
    title: "Forwarding agent crash",
    text:
      "The mobile host is reachable through an address leased from a <b>Forwarding Agent</b> (FAQ → FAA). Then the FA crashes and loses its state: it no longer knows where to forward what arrives at the leased address and becomes a black hole until the host notices and acquires a new lease — and tells its peer with an REA.",
    cites: "draft-nikander-hip-mm-00 §4.4, §4.4.1, §4.4.2, §5.1, §6.1.3",
  },
  "flood-attack": {
    title: "Flooding attack defence",
    text:
      "A malicious peer B moves to a new address (10.0.0.3) and claims a victim's address (192.0.2.66) as its preferred locator, over and over, hoping A will flood the victim with data. A only sends a few small AC probes to the victim, within its budget, and never moves data to an unverified address: its data to B waits for B's ACR from 10.0.0.3.",
    cites: "draft-nikander-hip-mm-00 §4.3, §5.3, §8 · RFC 4225",
  },
};

function labInfo(name: ScenarioName): ScenarioInfo {
  const t = LAB_TEXT[name] ?? { title: name, text: `The src/lab scenario “${name}”.`, cites: "draft-nikander-hip-mm-00" };
  return {
    id: name,
    title: t.title,
    text: t.text,
    cites: t.cites,
    roles: name.startsWith("flood-attack") ? { A: "honest host", B: "malicious peer" } : name === "restart" ? { A: "host that keeps its state", B: "host that restarts" } : name === "peer-dead" ? { A: "host that stays", B: "host that vanishes" } : { A: "mobile host", B: "peer host" },
    origin: `src/lab scenario “${name}” — the same script as <code>hipmm lab ${name}</code>, run here in the page`,
    lab: name,
    build: (seed, spec) => labSource(name, seed, spec),
  };
}

export const CATALOG: ScenarioInfo[] = [...bex, ...SCENARIOS.map(labInfo)];

export function findScenario(id: string): ScenarioInfo | undefined {
  return CATALOG.find((s) => s.id === id);
}
