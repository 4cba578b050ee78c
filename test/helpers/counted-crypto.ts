// A real CryptoProvider with its sign / verify / generateEcdh calls counted (the provider does the
// work): tests show which operations ran on it (HipHostConfig.syncCrypto, FaOptions.syncCrypto).
import type { CryptoProvider } from "../../src/core/crypto/provider.ts";

/** `p` wrapped; `calls` counts what went through it. */
export function counted(p: CryptoProvider): { p: CryptoProvider; calls: { sign: number; verify: number; generateEcdh: number } } {
  const calls = { sign: 0, verify: 0, generateEcdh: 0 };
  const wrapped: CryptoProvider = {
    ...p,
    synchronous: p.synchronous,
    supports: (a) => p.supports(a),
    sign: (k, h, d) => {
      calls.sign++;
      return p.sign(k, h, d);
    },
    verify: (k, h, d, s) => {
      calls.verify++;
      return p.verify(k, h, d, s);
    },
    generateEcdh: (c, s) => {
      calls.generateEcdh++;
      return p.generateEcdh(c, s);
    },
  };
  return { p: wrapped, calls };
}
