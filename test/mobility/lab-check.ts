// Checks every lab summary must pass (test/mobility/lab.test.ts, test/integration/seeds.test.ts).
import assert from "node:assert/strict";
import type { LabSummary } from "../../src/lab/scenarios.ts";

export function checkSummary(s: LabSummary): void {
  const name = `${s.scenario} seed ${s.seed}`;
  const j = JSON.stringify(s);
  assert.equal(s.data_to_unverified, 0, `${name}: data to an unverified address without credit`);
  // handover_ms = path change → first datagram on the new path, either direction (the definition).
  const dirs = [s.handover_ms_to_mover, s.handover_ms_from_mover].filter((x) => x !== null);
  assert.equal(s.handover_ms, dirs.length ? Math.min(...dirs) : null, name);
  if (s.bound_to_mover_ms !== null) assert.ok(s.handover_ms_to_mover !== null && s.handover_ms_to_mover <= s.bound_to_mover_ms, `${name}: toward the mover ${j}`);
  if (s.bound_from_mover_ms !== null) assert.ok(s.handover_ms_from_mover !== null && s.handover_ms_from_mover <= s.bound_from_mover_ms, `${name}: from the mover ${j}`);
  if (s.bound_ms !== null) assert.ok(s.handover_ms !== null && s.handover_ms <= s.bound_ms, `${name}: ${j}`);
  // The acceptance: within one RTT (of the new path) plus the stated detection time. Not
  // v4-to-v6: A must first verify B's IPv6 address (§6.5 binds the mover too), 1.5 RTT (bound_ms).
  if (s.acceptance_ms !== null && s.scenario !== "v4-to-v6") assert.ok(s.handover_ms !== null && s.handover_ms <= s.acceptance_ms, `${name}: acceptance ${j}`);
  // Source credit: measured on the wire, bytes sent to the credited address before its ACR ≤ 3× received.
  if (!s.source_credit) assert.equal(s.data_on_credit, 0, name);
  assert.ok(s.credit_bytes_sent <= 3 * s.credit_bytes_received, `${name}: credit ${j}`);
  assert.ok((s.max_esp_bytes as number) <= 128, `${name}: the labs' charged datagram size is an upper bound`);
}

