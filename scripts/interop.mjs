#!/usr/bin/env node
// `npm run interop -- [--mode rfc|profile] [--hi p256|p384|rsa] [--k N] [--keep]`: run hipmm against
// cutehip (an independent Python HIPv2) in network namespaces, as root: the cells of
// test/interop/cutehip.test.ts matching the options (default: all). --keep leaves the captures,
// cutehip's log and analyze.py's input in a temp dir (printed). Harness: ../shared/interop/cutehip.
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
if (args.includes("--help") || args.includes("-h")) {
  console.log("usage: npm run interop -- [--mode rfc|profile] [--hi p256|p384|rsa] [--k N] [--keep]");
  process.exit(0);
}
const mode = { rfc: "RFC mode", profile: "cutehip profile" }[opt("mode") ?? ""] ?? ".*";
const hi = { p256: "P-256", p384: "P-384", rsa: "RSA" }[opt("hi") ?? ""] ?? ".*";
const k = opt("k") ?? "\\d+";
const env = { ...process.env, HIPMM_CUTEHIP_ONLY: `^${mode}.*HI ${hi}, K=${k}$` };
if (args.includes("--keep")) env.HIPMM_CUTEHIP_KEEP = "1";
if (process.getuid?.() !== 0) console.error("interop: needs root (network namespaces); try sudo npm run interop");
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", "test/interop/cutehip.test.ts"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
