// hipmm/mobility: REA/AC/ACR mobility and multi-homing (draft-nikander-hip-mm-00 §4) as a HIP
// extension, sans-I/O.
export { MobilityExtension, codecKeys, DEFAULT_INTERFACE, FA_INTERFACE, type MobilityExtensionOptions, type MobilityNote, type MobilityRoute, type SpiRange } from "../mobility/extension.ts";
export type { MobilityEvent, Path } from "../mobility/types.ts";
