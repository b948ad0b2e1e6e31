// A Cloudflare Worker that runs the suite when fetched with ?emulator=URL. Every call is
// awaited inside the handler, as Workers require.
import * as zego from "zego-analytics";

import { runConformance } from "./conformance.mjs";

export default {
  async fetch(request) {
    const emulatorUrl = new URL(request.url).searchParams.get("emulator");
    return Response.json(await runConformance(zego, { emulatorUrl }));
  },
};
