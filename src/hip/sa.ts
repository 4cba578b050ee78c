// Keys handed to the ESP data plane: the data plane's own SaParams (src/esp/types.ts).
export type { EspSuite, SaParams } from "../esp/types.ts";
