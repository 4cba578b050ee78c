// hipmm/esp: the WASM ESP data plane (RFC 7402 BEET mode, RFC 4303): SAs, batched seal/open,
// in-process or in a Worker (WorkerDataPlane; the Worker script is hipmm/esp-worker).
import { useEmbeddedWasm } from "../wasm/loader.ts";
// This entry embeds the WASM module: the default of every DataPlane made without one (src/wasm/loader.ts).
useEmbeddedWasm();
export {
  EspStatus, espStatusName, espKeyLengths, type EspSuite as EspDataPlaneSuite, type SaParams, type SaStats,
  type SealRequest, type SealResult, type OpenResult,
} from "../esp/types.ts";
export { DataPlane } from "../esp/dataplane.ts";
export { WasmCrypto, wasmCrypto, useCryptoExports, sha1, sha256, hmacSha1, hmacSha256 } from "../esp/crypto.ts";
export { WorkerDataPlane, espWorkerUrl, type EspWorkerHandle, type WorkerDataPlaneOptions } from "../esp/remote.ts";
export { EspBatch, type BatchOp, type EspBatchOptions } from "../esp/espbatch.ts";
