// Tests of the emulator's scripted faults and skewed clock, with raw fetch and node:http:
// like the other emulator tests, nothing here comes from the package under test.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { FAULT_KINDS, FaultQueue, parseFault } from './faults.mjs';
import { DEMO_APP, startEmulator } from './server.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const MINUTE_MS = 60_000;
// `{"` then two bytes that are never UTF-8, then `"}`.
const INVALID_UTF8 = [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d];

let nonceCounter = 0;

/** A signed GetBizUsage URL; `offsetMs` shifts the clock the timestamp is taken from. */
function signedUrl(base, offsetMs = 0) {
  const { appId, serverSecret } = DEMO_APP;
  const timestamp = Math.floor((Date.now() + offsetMs) / 1000);
  nonceCounter += 1;
  const nonce = `fa${nonceCounter.toString(16).padStart(14, '0')}`;
  const signature = createHash('md5')
    .update(`${appId}${nonce}${serverSecret}${timestamp}`)
    .digest('hex');
  return (
    `${base}?Action=GetBizUsage&AppId=${appId}&SignatureNonce=${nonce}` +
    `&Timestamp=${timestamp}&SignatureVersion=2.0&Signature=${signature}` +
    '&StartDate=20240101&EndDate=20240103&Metrics[]=play_count'
  );
}

/** GETs a signed URL and returns the status, headers and raw text. */
async function call(base, offsetMs) {
  const response = await fetch(signedUrl(base, offsetMs));
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const codeOf = (text) => JSON.parse(text).Code;

async function control(emu, method, name, body) {
  const init = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`${emu.url}_emulator/${name}`, init);
  return { status: response.status, body: await response.json() };
}

const queue = (emu, faults) => control(emu, 'POST', 'faults', { faults });

async function recorded(emu) {
  return (await control(emu, 'GET', 'requests')).body.requests;
}

/**
 * A raw GET with node:http that keeps whatever arrives: resolves with the status, headers,
 * the bytes received and how the response ended ("end" or an error code).
 */
function rawGet(url, { stopAfter = Infinity } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (res) => {
      const chunks = [];
      let size = 0;
      let settled = false;
      const finish = (ending) => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks),
          size, ending });
      };
      res.on('data', (chunk) => {
        size += chunk.length;
        if (chunks.length < 64) chunks.push(chunk);
        if (size >= stopAfter) {
          request.destroy();
          finish('stopped');
        }
      });
      res.on('end', () => finish('end'));
      res.on('aborted', () => finish('aborted'));
      res.on('error', (err) => finish(err.code ?? err.message));
      res.on('close', () => finish('closed'));
    });
    request.on('error', reject);
  });
}

test('fault entries are checked', () => {
  assert.deepEqual(FAULT_KINDS, ['pass', 'code', 'http', 'hang', 'drop', 'truncate', 'oversize',
    'slow', 'body', 'bytes']);
  const ok = parseFault({ kind: 'code', code: 500, count: 3 });
  assert.deepEqual(ok, { fault: { kind: 'code', code: 500 }, count: 3 });
  assert.ok(Object.isFrozen(ok.fault));

  const bad = [
    [null, /must be an object/],
    [[], /must be an object/],
    [{ kind: 'explode' }, /kind must be one of/],
    [{ kind: 'code' }, /needs code/],
    [{ kind: 'code', code: '500' }, /integer/],
    [{ kind: 'code', code: 500, count: 0 }, /count/],
    [{ kind: 'code', code: 500, count: 1.5 }, /count/],
    [{ kind: 'hang', delayMs: 5 }, /takes no delayMs/],
    [{ kind: 'http', status: 99 }, /status/],
    [{ kind: 'http', status: 502, contentType: 'a\r\nX-Evil: 1' }, /contentType/],
    [{ kind: 'oversize', bytes: -1 }, /bytes/],
    [{ kind: 'oversize', bytes: 10, chunked: 'yes' }, /chunked/],
    [{ kind: 'slow', delayMs: 600_001 }, /delayMs/],
    [{ kind: 'body' }, /needs body/],
    [{ kind: 'bytes', base64: 'not base64!' }, /base64/],
  ];
  for (const [entry, message] of bad) {
    assert.throws(() => parseFault(entry), { name: 'TypeError', message }, String(entry));
  }
});

test('the queue is first in, first out, and counts apply to that many requests', () => {
  const faults = new FaultQueue();
  assert.equal(faults.take(), null);
  assert.equal(faults.add([{ kind: 'drop', count: 2 }, { kind: 'hang' }]), 3);
  assert.throws(() => faults.add([{ kind: 'hang' }, { kind: 'nope' }]), TypeError);
  assert.equal(faults.size, 3, 'a list with a bad entry adds nothing');
  assert.deepEqual(faults.list(), [{ kind: 'drop', count: 2 }, { kind: 'hang', count: 1 }]);
  assert.deepEqual(
    [faults.take(), faults.take(), faults.take(), faults.take()].map((f) => f?.kind ?? null),
    ['drop', 'drop', 'hang', null],
  );
  faults.add([{ kind: 'truncate', count: 5 }]);
  faults.clear();
  assert.equal(faults.size, 0);
});

describe('fault modes', () => {
  let emu;
  before(async () => {
    emu = await startEmulator({ rateLimit: false });
  });
  after(() => emu.close());

  test('the control endpoint queues, lists and clears faults', async () => {
    await control(emu, 'POST', 'reset');
    const added = await queue(emu, [
      { kind: 'code', code: 500 },
      { kind: 'code', code: 30002, message: 'slow down', count: 2 },
    ]);
    assert.deepEqual(added, { status: 200, body: { queued: 3 } });
    const listed = await control(emu, 'GET', 'faults');
    assert.deepEqual(listed.body.pending, [
      { kind: 'code', code: 500, count: 1 },
      { kind: 'code', code: 30002, message: 'slow down', count: 2 },
    ]);

    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(JSON.parse((await call(emu.url)).text));
    assert.deepEqual(answers.map((a) => a.Code), [500, 30002, 30002, 0]);
    assert.equal(answers[0].Message, 'internal error');
    assert.equal(answers[1].Message, 'slow down');
    assert.equal(answers[1].Data, undefined);
    assert.ok(answers.every((a) => typeof a.RequestId === 'number'));

    // Every request is still recorded with what was signed, and which fault it took.
    const log = await recorded(emu);
    assert.deepEqual(log.map((r) => r.fault), ['code', 'code', 'code', null]);
    assert.equal(new Set(log.map((r) => r.nonce)).size, 4);
    assert.ok(log.every((r) => /^[0-9a-f]{32}$/.test(r.signature)));
    assert.ok(log.every((r) => /^\d{10}$/.test(r.timestamp)));
    assert.ok(log.every((r) => Math.abs(r.at - Date.now()) < MINUTE_MS));

    await queue(emu, [{ kind: 'hang', count: 10 }]);
    assert.deepEqual(await control(emu, 'DELETE', 'faults'), { status: 200, body: { queued: 0 } });
    assert.equal(codeOf((await call(emu.url)).text), 0);

    await queue(emu, [{ kind: 'drop' }]);
    await control(emu, 'POST', 'reset');
    assert.deepEqual((await control(emu, 'GET', 'faults')).body.pending, [], 'reset clears');
  });

  test('bad fault bodies are refused whole', async () => {
    const cases = [
      ['nope', /JSON object/],
      [[], /JSON object/],
      [{}, /faults must be an array/],
      [{ faults: [{ kind: 'drop' }], extra: 1 }, /unknown key extra/],
      [{ faults: [{ kind: 'drop' }, { kind: 'code' }] }, /needs code/],
    ];
    for (const [body, error] of cases) {
      const answer = await control(emu, 'POST', 'faults', body);
      assert.equal(answer.status, 400);
      assert.match(answer.body.error, error);
    }
    assert.deepEqual((await control(emu, 'GET', 'faults')).body.pending, []);
    assert.equal((await control(emu, 'PUT', 'faults')).status, 405);
  });

  test('pass entries space faults out', async () => {
    emu.state.faults.add([
      { kind: 'pass', count: 2 },
      { kind: 'code', code: 500 },
      { kind: 'pass' },
      { kind: 'code', code: 10002 },
    ]);
    const codes = [];
    for (let i = 0; i < 6; i += 1) codes.push(codeOf((await call(emu.url)).text));
    assert.deepEqual(codes, [0, 0, 500, 0, 10002, 0]);
    const log = (await recorded(emu)).slice(-6);
    assert.deepEqual(log.map((r) => r.fault), [null, null, 'code', null, 'code', null]);
  });

  test('the in-process API on state', async () => {
    assert.equal(emu.state.faults.add([{ kind: 'code', code: 100000015 }]), 1);
    assert.equal(emu.state.faults.size, 1);
    assert.equal(codeOf((await call(emu.url)).text), 100000015);
    assert.equal(emu.state.faults.size, 0);
    emu.state.faults.add([{ kind: 'code', code: 500, count: 2 }]);
    emu.state.faults.clear();
    assert.equal(codeOf((await call(emu.url)).text), 0);
  });

  test('http: a proxy error page, or the given body and type', async () => {
    emu.state.faults.add([
      { kind: 'http', status: 502 },
      { kind: 'http', status: 503, body: '{"message":"busy"}', contentType: 'application/json' },
      { kind: 'http', status: 200, body: '<html>maintenance</html>' },
    ]);
    const page = await call(emu.url);
    assert.equal(page.status, 502);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(page.text, /<title>502 Bad Gateway<\/title>/);
    const json = await call(emu.url);
    assert.equal(json.status, 503);
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.equal(json.text, '{"message":"busy"}');
    const html200 = await call(emu.url);
    assert.equal(html200.status, 200);
    assert.equal(html200.text, '<html>maintenance</html>');
  });

  test('body and bytes: exactly the text or bytes given', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    emu.state.faults.add([
      { kind: 'body', body: '{"Code":0,"Message":"success","RequestId":1,"Data":' },
      { kind: 'body', body: deep, status: 200 },
      { kind: 'body', body: '{"Code":"0"}', status: 418 },
      { kind: 'bytes', base64: Buffer.from(INVALID_UTF8).toString('base64') },
    ]);
    const cut = (await call(emu.url)).text;
    assert.equal(cut, '{"Code":0,"Message":"success","RequestId":1,"Data":');
    assert.equal((await call(emu.url)).text, deep);
    const typed = await call(emu.url);
    assert.deepEqual([typed.status, typed.text], [418, '{"Code":"0"}']);
    const raw = Buffer.from(await (await fetch(signedUrl(emu.url))).arrayBuffer());
    assert.deepEqual([...raw], INVALID_UTF8);

    // Large bodies can be queued through the control endpoint too.
    const posted = await queue(emu, [{ kind: 'body', body: deep }]);
    assert.equal(posted.status, 200);
    assert.equal((await call(emu.url)).text, deep);
  });

  test('drop: the connection closes without an answer', async () => {
    emu.state.faults.add([{ kind: 'drop' }]);
    await assert.rejects(fetch(signedUrl(emu.url)), TypeError);
    assert.equal(codeOf((await call(emu.url)).text), 0, 'the next request is answered');
  });

  test('truncate: the full Content-Length, half the body, then the end', async () => {
    emu.state.faults.add([{ kind: 'truncate' }]);
    const cut = await rawGet(signedUrl(emu.url));
    const declared = Number(cut.headers['content-length']);
    assert.equal(cut.status, 200);
    assert.ok(declared > 100);
    assert.equal(cut.size, Math.floor(declared / 2));
    assert.notEqual(cut.ending, 'end');
    assert.match(cut.body.toString(), /^\{"Code":0,"Message":"success","RequestId":\d{19},/);

    emu.state.faults.add([{ kind: 'truncate' }]);
    const response = await fetch(signedUrl(emu.url));
    await assert.rejects(response.text());
  });

  test('oversize: a valid envelope padded to the size, with or without a length', async () => {
    emu.state.faults.add([
      { kind: 'oversize', bytes: 300_000 },
      { kind: 'oversize', bytes: 300_000, chunked: true },
    ]);
    const sized = await rawGet(signedUrl(emu.url));
    assert.equal(sized.headers['content-length'], '300000');
    assert.equal(sized.size, 300_000);
    assert.equal(sized.ending, 'end');
    const chunked = await rawGet(signedUrl(emu.url));
    assert.equal(chunked.headers['content-length'], undefined);
    assert.equal(chunked.headers['transfer-encoding'], 'chunked');
    assert.equal(chunked.size, 300_000);

    const text = await (await fetch(signedUrl(emu.url))).text();
    assert.equal(codeOf(text), 0, 'the answer after a fault is a normal one');
    emu.state.faults.add([{ kind: 'oversize', bytes: 300_000 }]);
    const whole = await (await fetch(signedUrl(emu.url))).text();
    assert.equal(whole.length, 300_000);
    assert.deepEqual(JSON.parse(whole).Data, {});
  });

  test('oversize: writing stops when the client stops reading', async () => {
    const total = 256 * 1024 * 1024;
    emu.state.faults.add([{ kind: 'oversize', bytes: total }]);
    const partial = await rawGet(signedUrl(emu.url), { stopAfter: 1024 * 1024 });
    assert.equal(partial.ending, 'stopped');
    await sleep(200);
    const record = (await recorded(emu)).at(-1);
    assert.equal(record.fault, 'oversize');
    const settled = record.sentBytes;
    assert.ok(settled < total / 4, `${settled} bytes written`);
    await sleep(100);
    assert.equal((await recorded(emu)).at(-1).sentBytes, settled, 'no more writes');
  });

  test('slow: headers at once, the body spread over delayMs', async () => {
    emu.state.faults.add([{ kind: 'slow', delayMs: 600 }]);
    const started = performance.now();
    const response = await fetch(signedUrl(emu.url));
    const headersAfter = performance.now() - started;
    const text = await response.text();
    const bodyAfter = performance.now() - started;
    assert.ok(headersAfter < 300, `headers after ${headersAfter} ms`);
    assert.ok(bodyAfter >= 550, `body after ${bodyAfter} ms`);
    assert.equal(codeOf(text), 0);
    assert.equal(Number(response.headers.get('content-length')), Buffer.byteLength(text));
  });

  test('slow: a client that gives up stops the dribble', async () => {
    emu.state.faults.add([{ kind: 'slow', delayMs: 5_000 }]);
    const response = await fetch(signedUrl(emu.url), { signal: AbortSignal.timeout(200) });
    await assert.rejects(response.text(), { name: /AbortError|TimeoutError/ });
    assert.equal(codeOf((await call(emu.url)).text), 0);
  });

  test('hang: no answer until the client gives up', async () => {
    emu.state.faults.add([{ kind: 'hang' }]);
    const started = performance.now();
    await assert.rejects(fetch(signedUrl(emu.url), { signal: AbortSignal.timeout(300) }), {
      name: 'TimeoutError',
    });
    assert.ok(performance.now() - started >= 290);
    assert.equal(codeOf((await call(emu.url)).text), 0);
  });
});

test('close() ends hung and slow answers at once', async () => {
  const emu = await startEmulator();
  emu.state.faults.add([{ kind: 'hang' }, { kind: 'slow', delayMs: 60_000 }]);
  const hung = fetch(signedUrl(emu.url)).then(
    () => 'answered',
    () => 'failed',
  );
  const slow = await fetch(signedUrl(emu.url));
  const slowBody = slow.text().then(
    () => 'answered',
    () => 'failed',
  );
  while (emu.state.requests.length < 2) await sleep(10);

  const started = performance.now();
  await emu.close();
  assert.ok(performance.now() - started < 1_000);
  assert.equal(await hung, 'failed');
  assert.equal(await slowBody, 'failed');
});

describe('a skewed clock', () => {
  let emu;
  before(async () => {
    emu = await startEmulator({ rateLimit: false, clockOffsetMs: 20 * MINUTE_MS });
  });
  after(() => emu.close());

  test('the option shifts the Date header and the expiry check', async () => {
    const local = await call(emu.url);
    assert.equal(codeOf(local.text), 100000004);
    const shown = Date.parse(local.headers.get('date'));
    assert.ok(Math.abs(shown - (Date.now() + 20 * MINUTE_MS)) < 5_000, local.headers.get('date'));
    assert.equal(codeOf((await call(emu.url, 20 * MINUTE_MS)).text), 0);
  });

  test('the control endpoint changes it', async () => {
    const set = await control(emu, 'POST', 'config', { clockOffsetMs: -15 * MINUTE_MS });
    assert.deepEqual(set.body, { rateLimit: false, clockOffsetMs: -15 * MINUTE_MS });
    assert.equal(codeOf((await call(emu.url)).text), 100000004);
    assert.equal(codeOf((await call(emu.url, -15 * MINUTE_MS)).text), 0);

    // Within 600 s either way is still accepted.
    await control(emu, 'POST', 'config', { clockOffsetMs: 9 * MINUTE_MS });
    const near = await call(emu.url);
    assert.equal(codeOf(near.text), 0);
    const skew = Date.parse(near.headers.get('date')) - Date.now();
    assert.ok(Math.abs(skew - 9 * MINUTE_MS) < 5_000);

    await control(emu, 'POST', 'config', { clockOffsetMs: 0 });
    const plain = await call(emu.url);
    assert.equal(codeOf(plain.text), 0);
    assert.ok(Math.abs(Date.parse(plain.headers.get('date')) - Date.now()) < 5_000);
  });

  test('bad offsets are refused', async () => {
    for (const clockOffsetMs of ['60000', 1.5, 1e20, null]) {
      const answer = await control(emu, 'POST', 'config', { clockOffsetMs });
      assert.equal(answer.status, 400);
      assert.match(answer.body.error, /clockOffsetMs/);
    }
    await assert.rejects(startEmulator({ clockOffsetMs: 'soon' }), TypeError);
  });
});

test('--clock-offset-ms on the command line', async () => {
  const child = spawn(process.execPath, [SERVER, '--quiet', '--clock-offset-ms=-1200000'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const line = await new Promise((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    });
    const config = await (await fetch(`${line}_emulator/config`)).json();
    assert.deepEqual(config, { rateLimit: true, clockOffsetMs: -1_200_000 });
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }

  const bad = spawn(process.execPath, [SERVER, '--clock-offset-ms=soon'], { stdio: 'ignore' });
  assert.equal(await new Promise((resolve) => bad.once('exit', resolve)), 2);
});
