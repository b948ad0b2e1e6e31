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

test("the types resolve for ES module and CommonJS consumers (module node16)", {
  skip: tsc === null && "typescript is not installed in the workspace",
}, async () => {
  const { mkdtemp, mkdir, rm, symlink, writeFile } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = await mkdtemp(join(tmpdir(), "zego-types-"));
  try {
    await mkdir(join(dir, "node_modules"));
    await symlink(join(root, "pkg"), join(dir, "node_modules", "zego-analytics"), "dir");
    await writeFile(join(dir, "package.json"), '{ "type": "commonjs" }\n');
    const use = `import { AnalyticsClient, generateSignature } from "zego-analytics";
const client = new AnalyticsClient({ appId: 1, serverSecret: "s" });
const sig: string = generateSignature(1, "n", "s", 2);
export const pending: Promise<{ requestId: string }> =
  client.getBizUsage({ startDate: "20250110", endDate: "20250110", metrics: ["play_count"] });
export { sig };
`;
    await writeFile(join(dir, "esm.mts"), use);
    await writeFile(join(dir, "cjs.cts"), use);
    const args = [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "node16",
      "--moduleResolution", "node16", "--lib", "es2022,dom",
      "esm.mts", "cjs.cts"];
    try {
      await promisify(execFile)(process.execPath, args, { cwd: dir });
    } catch (err) {
      assert.fail(`tsc found problems:\n${err.stdout}${err.stderr}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
