// hipmm WASM module: the hot path (TLV walk, crypto, ESP). One module, one linear memory.
// Rule for every file here: allocate at init / SA install time only, never per packet.
export * from "./wire/walk";
export * from "./crypto/api";
export * from "./esp/api";
