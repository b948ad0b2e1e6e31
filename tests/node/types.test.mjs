// Type-checks tests/node/types-check.ts against the package's index.d.ts with the
// TypeScript compiler the workspace installed; skipped when it has none.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { test } from "node:test";

const root = fileURLToPath(new URL("../../", import.meta.url));

function findTsc() {
  try {
    return createRequire(`${root}package.json`).resolve("typescript/bin/tsc");
  } catch {
    return null;
  }
}

const tsc = findTsc();

test("the package ships the types, with no any", async () => {
  const shipped = await readFile(`${root}pkg/index.d.ts`, "utf8");
  assert.equal(shipped, await readFile(`${root}pkg-template/index.d.ts`, "utf8"));
  const code = shipped.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  assert.doesNotMatch(code, /\bany\b/);
  assert.doesNotMatch(code, /\bunknown\b/);
});

test("index.d.ts: strict, complete, and rejecting wrong use", {
  skip: tsc === null && "typescript is not installed in the workspace",
}, async () => {
  const args = [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "esnext",
    "--moduleResolution", "bundler", "tests/node/types-check.ts"];
  try {
    await promisify(execFile)(process.execPath, args, { cwd: root });
  } catch (err) {
    assert.fail(`tsc found problems:\n${err.stdout}${err.stderr}`);
  }
});
