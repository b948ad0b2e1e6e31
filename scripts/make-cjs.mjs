// Writes a CommonJS copy of the ES module glue that wasm-bindgen generates, so that
// `require("zego-analytics")` loads the same single .wasm file as `import` does.
// Usage: node scripts/make-cjs.mjs pkg/zego_analytics.js pkg/zego_analytics.cjs
import { readFileSync, writeFileSync } from "node:fs";

const [from, to] = process.argv.slice(2);
let src = readFileSync(from, "utf8");
const names = [];

src = src.replace(/^export (class|function) (\w+)/gm, (_, kind, name) => {
  names.push(name);
  return `${kind} ${name}`;
});
const tail = /^export \{ initSync, __wbg_init as default \};\s*$/m;
if (!tail.test(src) || names.length === 0) {
  throw new Error(`${from} does not look like wasm-bindgen's web glue; update this script`);
}
src = src.replace(tail, "");
// Only the async loader reads import.meta; the CommonJS entry always uses initSync.
src = src.replaceAll("import.meta.url", "require('node:url').pathToFileURL(__filename)");
if (/^\s*(import|export)\s/m.test(src)) {
  throw new Error(`${from} still has ES module syntax after the rewrite`);
}
names.push("initSync");
src = `"use strict";\n${src}\nmodule.exports = { ${names.join(", ")} };\n`;
writeFileSync(to, src);
