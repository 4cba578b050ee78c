// Every CLI error of every subcommand, as a real `hipmm` process: exactly one stderr line that
// names the option or file, exit 1 (runtime failure) or 2 (usage), no stack frame; with
// --debug / HIPMM_DEBUG=1 the stack follows.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { report, UsageError } from "../../src/cli/errors.ts";
import { hipmm, pool } from "./run.ts";

const dir = mkdtempSync(join(tmpdir(), "hipmm-cli-err-"));
const key = join(dir, "a.key");
const junk = join(dir, "junk.key");
const notDir = join(dir, "plain-file");
const missing = join(dir, "no-such-dir");
let udpBusy: ReturnType<typeof createSocket>;
let tcpBusy: ReturnType<typeof createServer>;
let udpPort = 0;
/** The HIT of `key` (printed by keygen). */
let keyHit = "";
let tcpPort = 0;

before(async () => {
  writeFileSync(junk, "{ this is not a keyfile");
  writeFileSync(notDir, "x");
  mkdirSync(join(dir, "a-dir"));
  const k = await hipmm(["keygen", "-o", key]);
  assert.equal(k.code, 0, k.stderr);
  keyHit = /2001:[0-9a-f:]+/.exec(k.stdout + k.stderr)?.[0] ?? "";
  assert.ok(keyHit, "keygen prints the HIT");
  udpBusy = createSocket("udp4");
  await new Promise<void>((r) => udpBusy.bind(0, "127.0.0.1", () => r()));
  udpPort = udpBusy.address().port;
  tcpBusy = createServer();
  await new Promise<void>((r) => tcpBusy.listen(0, "127.0.0.1", () => r()));
  tcpPort = (tcpBusy.address() as { port: number }).port;
});

after(() => {
  udpBusy?.close();
  tcpBusy?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Case = { args: () => string[]; code: 1 | 2; line: RegExp | (() => RegExp) };

const L = "127.0.0.1:0";
const cases: Case[] = [
  // host
  { args: () => ["host", "--id", join(dir, "nope.key"), "--listen", L], code: 1, line: /^hipmm host: --id \S*nope\.key: no such file$/ },
  { args: () => ["host", "--id", junk, "--listen", L], code: 1, line: /^hipmm host: --id \S*junk\.key: not a valid hipmm keyfile/ },
  { args: () => ["host", "--id", join(dir, "a-dir"), "--listen", L], code: 1, line: /^hipmm host: --id \S*a-dir: is a directory$/ },
  { args: () => ["host", "--id", key, "--listen", L, "--pcap", join(missing, "x.pcap")], code: 1, line: /^hipmm host: --pcap \S*no-such-dir\/x\.pcap: no such directory$/ },
  { args: () => ["host", "--id", key, "--listen", L, "--pcap", join(notDir, "x.pcap")], code: 1, line: /^hipmm host: --pcap \S*plain-file\/x\.pcap: a path component is not a directory$/ },
  { args: () => ["host", "--id", key, "--listen", L, "--esp-sa", join(missing, "x.esp_sa")], code: 1, line: /^hipmm host: --esp-sa \S*x\.esp_sa: no such directory$/ },
  { args: () => ["host", "--id", key, "--listen", L, "--esp-sa", join(notDir, "x.esp_sa")], code: 1, line: /^hipmm host: --esp-sa \S*x\.esp_sa: a path component is not a directory$/ },
  { args: () => ["host", "--id", key, "--listen", `127.0.0.1:${udpPort}`], code: 1, line: () => new RegExp(`^hipmm host: --listen 127\\.0\\.0\\.1:${udpPort}: address in use$`) },
  { args: () => ["host", "--id", key, "--listen", "192.0.2.1:0"], code: 1, line: /^hipmm host: --listen 192\.0\.2\.1:0: address not available on this host$/ },
  { args: () => ["host", "--id", key, "--listen", L, "--stats-file", join(missing, "s.json")], code: 1, line: /^hipmm host: --stats-file \S*s\.json: no such directory$/ },
  { args: () => ["host", "--id", key, "--listen", L, "--bogus"], code: 2, line: /^hipmm host: unknown option --bogus \(see hipmm host --help\)$/ },
  { args: () => ["host", "--listen", L], code: 2, line: /^hipmm host: --id FILE is required/ },
  { args: () => ["host", "--id", key, "--listen"], code: 2, line: /^hipmm host: option --listen needs a value/ },
  { args: () => ["host", "--id", key, "--listen", "localhost:99"], code: 2, line: /^hipmm host: --listen localhost:99: want IP:PORT/ },
  { args: () => ["host", "--id", key, "--listen", "127.0.0.1:70000"], code: 2, line: /^hipmm host: --listen 127\.0\.0\.1:70000: want IP:PORT/ },
  { args: () => ["host", "--id", key, "--listen", L, "--connect", "2001:db8::1@127.0.0.1:1"], code: 2, line: /^hipmm host: --connect \S+: not a HIT/ },
  { args: () => ["host", "--id", key, "--listen", L, "--connect", `${keyHit}@127.0.0.1:1`], code: 2, line: /^hipmm host: --connect \S+: \S+ is this host's own HIT \(--id \S*a\.key\)/ },
  { args: () => ["host", "--id", key, "--listen", L, "--connect", "127.0.0.1"], code: 2, line: /^hipmm host: --connect 127\.0\.0\.1: want IP:PORT/ },
  { args: () => ["host", "--id", key, "--listen", L, "--fa", "fa.example:1"], code: 2, line: /^hipmm host: --fa fa\.example:1: want IP:PORT/ },
  { args: () => ["host", "--id", key, "--listen", L, "--allow", "nobody"], code: 2, line: /^hipmm host: --allow nobody: not a HIT/ },
  { args: () => ["host", "--id", key, "--listen", L, "--k", "many"], code: 2, line: /^hipmm host: --k many: want an integer/ },
  { args: () => ["host", "--id", key, "--listen", L, "--port", "0"], code: 2, line: /^hipmm host: --port 0: want an integer/ },
  { args: () => ["host", "--id", key, "--listen", L, "--stats", "often"], code: 2, line: /^hipmm host: --stats often: want a number/ },
  { args: () => ["host", "--id", key, "--id", key, "--listen", L], code: 2, line: /^hipmm host: --id given more than once/ },
  { args: () => ["host", "--id", key, "--listen", L, "--icmp", "loud"], code: 2, line: /^hipmm host: --icmp takes answer, print or off/ },
  { args: () => ["host", "--id", key, "--listen", L, "--data-plane", "gpu"], code: 2, line: /^hipmm host: --data-plane: want inline, worker or worker-io, not 'gpu'/ },
  { args: () => ["host", "--id", key, "--listen", L, "--ping", "0"], code: 2, line: /^hipmm host: --ping takes a count/ },
  { args: () => ["host", "--id", key, "--listen", L, "--checksum", "crc"], code: 2, line: /^hipmm host: --checksum crc: want one of zero, pseudo/ },
  { args: () => ["host", "--id", key, "--listen", L, "--prefer", "eth0;rm"], code: 2, line: /^hipmm host: --prefer eth0;rm: want interface names/ },
  { args: () => ["host", "--id", key, "--listen", L, "--keepalive", "-1"], code: 2, line: /^hipmm host: --keepalive -1: want an integer/ },
  // fa
  { args: () => ["fa", "--id", junk, "--udp", L], code: 1, line: /^hipmm fa: --id \S*junk\.key: not a valid hipmm keyfile/ },
  { args: () => ["fa", "--id", join(missing, "fa.key"), "--udp", L], code: 1, line: /^hipmm fa: --id \S*fa\.key: no such directory$/ },
  { args: () => ["fa", "--id", key, "--udp", L, "--store", join(missing, "fa.db")], code: 1, line: /^hipmm fa: --store \S*fa\.db: / },
  { args: () => ["fa", "--id", key, "--udp", L, "--store", junk], code: 1, line: /^hipmm fa: --store \S*junk\.key: file is not a database$/ },
  { args: () => ["fa", "--id", key, "--udp", `127.0.0.1:${udpPort}`], code: 1, line: () => new RegExp(`^hipmm fa: --udp 127\\.0\\.0\\.1:${udpPort}: address in use$`) },
  { args: () => ["fa", "--id", key, "--udp", L, "--ws", `127.0.0.1:${tcpPort}`], code: 1, line: () => new RegExp(`^hipmm fa: --ws 127\\.0\\.0\\.1:${tcpPort}: address in use$`) },
  { args: () => ["fa", "--id", key, "--udp", L, "--stats-file", join(missing, "s")], code: 1, line: /^hipmm fa: --stats-file \S+: no such directory$/ },
  { args: () => ["fa", "--id", key], code: 2, line: /^hipmm fa: --udp IP:PORT is required/ },
  { args: () => ["fa", "--id", key, "--udp", "1.2.3:4"], code: 2, line: /^hipmm fa: --udp 1\.2\.3:4: want IP:PORT/ },
  { args: () => ["fa", "--id", key, "--udp", L, "--puzzle", "maybe"], code: 2, line: /^hipmm fa: --puzzle maybe: want one of off, on, auto/ },
  { args: () => ["fa", "--id", key, "--udp", L, "--log", "xml"], code: 2, line: /^hipmm fa: --log xml: want one of text, json/ },
  { args: () => ["fa", "--id", key, "--udp", L, "--pool6", "[::1]:9-3"], code: 2, line: /^hipmm fa: --pool6 \S+: want IP:LO-HI/ },
  { args: () => ["fa", "--id", key, "--udp", L, "--deny", "2001:22::1,x"], code: 2, line: /^hipmm fa: --deny \S+: not a HIT/ },
  { args: () => ["fa", "--id", key, "--udp", L, "--lease-max", "-5"], code: 2, line: /^hipmm fa: --lease-max -5: want an integer/ },
  // keygen
  { args: () => ["keygen", "-o", join(missing, "k.key")], code: 1, line: /^hipmm keygen: -o \S*k\.key: no such directory$/ },
  { args: () => ["keygen", "-o", key], code: 1, line: /^hipmm keygen: -o \S*a\.key: exists \(use --force to replace it\)$/ },
  { args: () => ["keygen", "-o", join(dir, "a-dir"), "--force"], code: 1, line: /^hipmm keygen: -o \S*a-dir: is a directory$/ },
  { args: () => ["keygen", "--curve", "rsa", "-o", join(dir, "r.key")], code: 2, line: /^hipmm keygen: --curve rsa: want p256, p384 or ed25519/ },
  { args: () => ["keygen"], code: 2, line: /^hipmm keygen: -o FILE is required/ },
  // demo
  { args: () => ["demo", "--pcap", join(missing, "d.pcap")], code: 1, line: /^hipmm demo: --pcap \S*d\.pcap: no such directory$/ },
  { args: () => ["demo", "--esp-sa", join(missing, "d.sa")], code: 1, line: /^hipmm demo: --esp-sa \S*d\.sa: no such directory$/ },
  { args: () => ["demo", "--k", "x"], code: 2, line: /^hipmm demo: --k x: want an integer/ },
  // lab
  { args: () => ["lab", "teleport"], code: 2, line: /^hipmm lab: unknown scenario teleport/ },
  { args: () => ["lab"], code: 2, line: /^hipmm lab: which scenario\?/ },
  { args: () => ["lab", "handover", "--pcap", join(missing, "l.pcap")], code: 1, line: /^hipmm lab: --pcap \S*l\.pcap: no such directory$/ },
  { args: () => ["lab", "handover", "--seed", "x"], code: 2, line: /^hipmm lab: --seed x: want an integer/ },
  // decode
  { args: () => ["decode", join(dir, "none.pcap")], code: 2, line: /^hipmm decode: \S*none\.pcap: no such file$/ },
  { args: () => ["decode", join(dir, "a-dir")], code: 2, line: /^hipmm decode: \S*a-dir: is a directory$/ },
  { args: () => ["decode", "--port", "0", "x"], code: 2, line: /^hipmm decode: --port 0: / },
  { args: () => ["decode", "--hex", "zz"], code: 2, line: /^hipmm decode: --hex: not valid hex/ },
  { args: () => ["decode", "--src", "1.2.3.4", "--hex", "00"], code: 2, line: /^hipmm decode: --src and --dst go together/ },
  // sample
  { args: () => ["sample", "--pcap", join(missing, "s.pcap")], code: 1, line: /^hipmm sample: --pcap \S*s\.pcap: no such directory$/ },
  { args: () => ["sample", "--esp", "--pcap", join(dir, "e.pcap"), "--esp-sa", join(missing, "e.sa")], code: 1, line: /^hipmm sample: --esp-sa \S*e\.sa: no such directory$/ },
  { args: () => ["sample", "--type", "I9"], code: 2, line: /^hipmm sample: --type I9: unknown packet type/ },
  { args: () => ["sample"], code: 2, line: /^hipmm sample: give --pcap FILE or --type NAME/ },
  // top level
  { args: () => ["teleport"], code: 2, line: /^hipmm: unknown command 'teleport'/ },
];

async function check(list: Case[]): Promise<void> {
  const results = await pool(
    list.map((c) => async () => ({ c, r: await hipmm(c.args()) })),
    3,
  );
  const bad: string[] = [];
  for (const { c, r } of results) {
    const what = `hipmm ${c.args().join(" ")}`;
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    if (r.timedOut) bad.push(`${what}: did not exit`);
    else if (r.code !== c.code) bad.push(`${what}: exit ${r.code}, want ${c.code}: ${r.stderr}`);
    else if (lines.length !== 1) bad.push(`${what}: ${lines.length} stderr lines: ${r.stderr}`);
    else if (/^\s+at /m.test(r.stderr)) bad.push(`${what}: stack trace: ${r.stderr}`);
    else {
      const re = typeof c.line === "function" ? c.line() : c.line;
      if (!re.test(lines[0])) bad.push(`${what}: line ${JSON.stringify(lines[0])} does not match ${re}`);
    }
  }
  assert.deepEqual(bad, []);
}

const groups: [string, (c: Case) => boolean][] = [
  ["host", (c) => c.args()[0] === "host"],
  ["fa", (c) => c.args()[0] === "fa"],
  ["keygen, demo, lab", (c) => ["keygen", "demo", "lab"].includes(c.args()[0])],
  ["decode, sample, unknown command", (c) => !["host", "fa", "keygen", "demo", "lab"].includes(c.args()[0])],
];
for (const [name, pick] of groups) {
  test(`CLI errors of ${name}: one stderr line naming the option or file, exit 1 or 2, no stack`, () => check(cases.filter(pick)));
}

test("--debug and HIPMM_DEBUG=1 add the stack trace after the line", async () => {
  const [a, b] = await Promise.all([hipmm(["--debug", "host", "--id", join(dir, "nope.key"), "--listen", L]), hipmm(["keygen", "-o", join(missing, "k")], { env: { HIPMM_DEBUG: "1" } })]);
  for (const r of [a, b]) {
    assert.equal(r.code, 1);
    assert.match(r.stderr.split("\n")[0], /^hipmm (host|keygen): /);
    assert.match(r.stderr, /^\s+at /m);
  }
});

test("the top-level handler prints an unexpected error as one line (stack only when debugging)", () => {
  const lines: string[] = [];
  const e = new TypeError("Cannot read properties of undefined (reading 'x')\nsecond line");
  assert.equal(report("host", e, (l) => lines.push(l)), 1);
  assert.deepEqual(lines, ["hipmm host: Cannot read properties of undefined (reading 'x')"]);
  assert.equal(report("fa", new UsageError("--udp is required"), (l) => lines.push(l)), 2);
  assert.equal(lines[1], "hipmm fa: --udp is required (see hipmm fa --help)");
});
