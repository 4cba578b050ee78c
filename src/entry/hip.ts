// hipmm/hip: the sans-I/O HIPv2 core (RFC 7401): identities and HITs, base exchange, UPDATE,
// CLOSE, keying material, puzzles, rate limits. Time and randomness are passed in.
export * from "../hip/index.ts";
export { cryptoRng, SeededRng } from "../core/rng.ts";
export { generateRsaIdentity } from "../runtime/rsa-keygen.ts";
