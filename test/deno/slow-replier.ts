// Deno side of the stalled-replier test (test/runtime/fixtures/slow-replier-core.ts): a worker-io
// host on src/runtime/deno.ts (io-worker-deno.ts owns the socket); args n, stall ms.
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { startDenoHost } from "../../src/runtime/deno.ts";
import { runSlowReplier } from "../runtime/fixtures/slow-replier-core.ts";

const b = await startDenoHost({ identity: HostIdentity.generate(new SeededRng(7)), listen: [{ ip: "127.0.0.1", port: 0 }], hip: { puzzleK: 0 }, dataPlane: "worker-io" });
runSlowReplier(b, Number(Deno.args[0] ?? 1400), Number(Deno.args[1] ?? 30), () => Deno.exit(0));
