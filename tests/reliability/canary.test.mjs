// The canary: a recognisable secret goes down every error path in a child process, which
// writes every message, property and inspection it can produce; none of it, nor anything
// else the process wrote to stdout or stderr, may contain the secret.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { CANARY, SIGHTINGS } from "./canary-secret.mjs";

const CHILD = fileURLToPath(new URL("./canary-child.mjs", import.meta.url));

const KINDS = ["aborted", "api", "config", "http", "network", "parse", "timeout", "validation"];

function run() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], { stdio: ["ignore", "pipe", "pipe"] });
    const out = [];
    const err = [];
    child.stdout.on("data", (chunk) => out.push(chunk));
    child.stderr.on("data", (chunk) => err.push(chunk));
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(killer);
      resolve({
        code: code ?? signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

test("the secret appears in no message, property, inspection or output", async (t) => {
  const { code, stdout, stderr } = await run();
  const everything = `${stdout}\n${stderr}`;

  // The child got to the end, and its output was captured.
  assert.equal(code, 0, stderr.slice(-2_000));
  const control = /^CONTROL (.*)$/m.exec(stdout);
  assert.ok(control, "the child wrote its control line");
  assert.equal(control[1].replaceAll("|", ""), CANARY, "the search would see the secret");

  // Every kind of error was produced, and every failing path did fail.
  const kinds = /^KINDS (.*)$/m.exec(stdout)?.[1].split(",");
  assert.deepEqual(kinds, KINDS);
  assert.doesNotMatch(everything, /UNEXPECTED/, "a path that should fail succeeded");
  const paths = everything.match(/^KIND \w+ .*$/gm) ?? [];
  t.diagnostic(`${paths.length} error paths, ${everything.length} characters searched`);

  for (const sighting of SIGHTINGS) {
    const at = everything.indexOf(sighting);
    assert.equal(at, -1, `the secret leaked: ...${everything.slice(at - 200, at + 50)}`);
  }
});
