// The default crypto provider of a runtime: WebCrypto wherever crypto.subtle exists (Node 20,
// Deno, browsers, workerd), per algorithm falling back to @noble (fallback.ts); @noble alone
// elsewhere. Probed once per process.
import { withFallback } from "./fallback.ts";
import { nobleProvider } from "./noble.ts";
import type { CryptoProvider } from "./provider.ts";
import { WebCryptoProvider } from "./webcrypto.ts";

let cached: Promise<CryptoProvider> | undefined;

export function defaultCryptoProvider(): Promise<CryptoProvider> {
  cached ??= WebCryptoProvider.create().then((w) => (w ? withFallback(w, nobleProvider) : nobleProvider));
  return cached;
}
