// Node and Bun, ES modules: the package as `import` resolves it.
import * as zego from "zego-analytics";

import { runConformance } from "./conformance.mjs";

const summary = await runConformance(zego, { emulatorUrl: process.argv[2] });
console.log(`conformance-summary ${JSON.stringify(summary)}`);
