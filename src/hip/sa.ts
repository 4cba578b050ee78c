// Keys handed to the ESP data plane: the data plane's own SaParams (src/esp/types.ts).
import type { SaParams } from "../esp/types.ts";
import type { HipEvent } from "./types.ts";

export type { EspSuite, SaParams } from "../esp/types.ts";

/**
 * The SAs an event gives keys to: the base exchange's pair (sa-install), one more SA (sa-add), a
 * rekey's pair (sa-rekey: its outbound SA, and a requester's inbound SA after a new
 * Diffie-Hellman, appear nowhere else). For whatever exports or shows keys (esp_sa files, labs).
 */
export function keyedSas(event: { readonly type: string }): readonly SaParams[] {
  const ev = event as HipEvent; // any event (a HipEvent, or a HostStack's StackEvent)
  if (ev.type === "sa-install" || ev.type === "sa-rekey") return [ev.inbound, ev.outbound];
  if (ev.type === "sa-add") return [ev.sa];
  return [];
}
