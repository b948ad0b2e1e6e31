// Builds the demo page into www/dist/: the page's own files from www/src/, the
// library's web glue and WebAssembly from pkg/ (run `make pkg` first), and a
// config.js naming the emulator the page talks to by default.
//
//   node www/build.mjs [--emulator-port N]

import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

export const DIST = new URL("dist/", import.meta.url);
const SRC = new URL("src/", import.meta.url);
const PKG = new URL("../pkg/", import.meta.url);
const FROM_PKG = ["zego_analytics.js", "zego_analytics_bg.wasm"];

/** The port `make www` gives the emulator unless told otherwise. */
export const DEFAULT_EMULATOR_PORT = 8788;

/** The text of config.js: the page reads where the emulator is from it. */
export function configSource(config) {
  return "// Where the page sends requests by default; `make www` serves its own copy.\n" +
    `export default ${JSON.stringify(config, null, 2)};\n`;
}

/** Builds www/dist/ and returns the size of each file the page loads. */
export async function buildPage({ emulatorPort = DEFAULT_EMULATOR_PORT } = {}) {
  await rm(DIST, { recursive: true, force: true });
  await mkdir(DIST, { recursive: true });
  for (const name of await readdir(SRC)) {
    await copyFile(new URL(name, SRC), new URL(name, DIST));
  }
  for (const name of FROM_PKG) {
    try {
      await copyFile(new URL(name, PKG), new URL(name, DIST));
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
      throw new Error(`pkg/${name} is missing; build the package first with \`make pkg\``);
    }
  }
  const emulator = { url: `http://127.0.0.1:${emulatorPort}/` };
  await writeFile(new URL("config.js", DIST), configSource({ emulator }));
  return pageSizes();
}

/** `[{ name, raw, gzip }]` for every file in www/dist/ (the page loads all of them). */
export async function pageSizes() {
  const sizes = [];
  for (const name of (await readdir(DIST)).sort()) {
    const bytes = await readFile(new URL(name, DIST));
    sizes.push({ name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  return sizes;
}

/** The sizes as a small table with a total. */
export function sizeTable(sizes) {
  const total = sizes.reduce((t, s) => ({ raw: t.raw + s.raw, gzip: t.gzip + s.gzip }),
    { raw: 0, gzip: 0 });
  const line = (name, raw, gzip) =>
    `${name.padEnd(24)} ${String(raw).padStart(9)} ${String(gzip).padStart(9)}`;
  return [
    line("file", "raw", "gzip -9"),
    ...sizes.map((s) => line(s.name, s.raw, s.gzip)),
    line("total", total.raw, total.gzip),
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { "emulator-port": { type: "string", default: String(DEFAULT_EMULATOR_PORT) } },
  });
  try {
    const sizes = await buildPage({ emulatorPort: Number(values["emulator-port"]) });
    console.log(`built www/dist/ (bytes):\n${sizeTable(sizes)}`);
  } catch (error) {
    console.error(`www/build.mjs: ${error.message}`);
    process.exit(1);
  }
}
