// Tests of the emulator, with their own signing and raw fetch: nothing here comes from the
// package under test, so the two implementations check each other.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DEMO_APP, startEmulator } from './server.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));

// The provider's worked signing example.
const VECTOR = {
  appId: 12345,
  nonce: '4fd24687296dd9f3',
  secret: '9193cc662a4c0ec135ec71fb57194b38',
  timestamp: 1615186943,
  signature: '43e5cfcca828314675f91b001390566a',
};

function md5Signature(appId, nonce, secret, timestamp) {
  return createHash('md5').update(`${appId}${nonce}${secret}${timestamp}`).digest('hex');
}

let nonceCounter = 0;

/**
 * A signed URL. `business` is a list of [key, value] pairs, encoded with
 * encodeURIComponent except for keys passed raw; `common` overrides the common parameters
 * (a value of null leaves the parameter out).
 */
function signedUrl(base, action, business = [], common = {}) {
  const appId = common.appId ?? DEMO_APP.appId;
  const secret = common.secret ?? DEMO_APP.serverSecret;
  const timestamp = common.timestamp ?? Math.floor(Date.now() / 1000);
  nonceCounter += 1;
  const nonce = common.nonce ?? `${nonceCounter.toString(16).padStart(16, '0')}`;
  const values = {
    Action: action,
    AppId: appId,
    SignatureNonce: nonce,
    Timestamp: timestamp,
    SignatureVersion: '2.0',
    Signature: md5Signature(appId, nonce, secret, timestamp),
    ...common.params,
  };
  const pairs = Object.entries(values).filter(([, v]) => v !== null);
  const query = pairs.map(([k, v]) => `${k}=${common.raw ? v : encodeURIComponent(v)}`);
  for (const [key, value] of business) {
    const encodedKey = key === 'Metrics[]' ? key : encodeURIComponent(key);
    query.push(`${encodedKey}=${common.raw ? value : encodeURIComponent(value)}`);
  }
  return `${base}?${query.join('&')}`;
}

/** GETs a URL and returns the raw text, the parsed body and the RequestId digits. */
async function get(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  const match = /"RequestId":(\d+)[,}]/.exec(text);
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Left null; the caller asserts on it.
  }
  return { status: response.status, headers: response.headers, text, body, id: match?.[1] };
}

const call = (base, action, business, common) => get(signedUrl(base, action, business, common));

const metrics = (...names) => names.map((name) => ['Metrics[]', name]);

const sum = (values) => values.reduce((a, b) => a + b, 0);

test('the provider signing example', () => {
  const { appId, nonce, secret, timestamp, signature } = VECTOR;
  assert.equal(md5Signature(appId, nonce, secret, timestamp), signature);
});

describe('with rate limits', () => {
  let emu;
  before(async () => {
    emu = await startEmulator({ apps: [`${VECTOR.appId}:${VECTOR.secret}`] });
  });
  after(() => emu.close());

  test('a good GetBizUsage call', async () => {
    const business = [
      ['StartDate', '20240130'],
      ['EndDate', '20240302'],
      ...metrics('play_count', 'room_concurrent'),
    ];
    const first = await call(emu.url, 'GetBizUsage', business);
    assert.equal(first.status, 200);
    assert.equal(first.body.Code, 0, first.text);
    assert.equal(first.body.Message, 'success');

    // The id is a bare 19-digit number, too large for a double to hold exactly.
    assert.match(first.id, /^[1-9]\d{18}$/);
    assert.ok(BigInt(first.id) > 2n ** 53n);
    assert.notEqual(String(BigInt(Number(first.id))), first.id);

    const [plays, rooms] = first.body.Data.Metrics;
    assert.deepEqual([plays.Metric, rooms.Metric], ['play_count', 'room_concurrent']);
    assert.equal(plays.Values.length, 33); // 2 in January, 29 in February 2024, 2 in March
    assert.equal(plays.Values[0].Date, '20240130');
    assert.equal(plays.Values[2].Date, '20240201');
    assert.equal(plays.Values[31].Date, '20240301');
    assert.equal(plays.Values.at(-1).Date, '20240302');
    assert.ok(plays.Values.every((v) => Number.isInteger(v.Value) && v.Value >= 0));

    const second = await call(emu.url, 'GetBizUsage', business);
    assert.notEqual(second.id, first.id);
    assert.deepEqual(second.body.Data, first.body.Data);
  });

  test('an app given as ID:SECRET is known', async () => {
    const common = { appId: VECTOR.appId, secret: VECTOR.secret };
    const business = [['StartDate', '20240101'], ['EndDate', '20240101'], ...metrics('fft')];
    const { body } = await call(emu.url, 'GetBizQuality', business, common);
    assert.equal(body.Code, 0);
    assert.ok(Number.isInteger(body.Data.Metrics[0].Values[0].Value));
  });

  test('gateway codes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      [{ params: { Action: null } }, 100000006],
      [{ params: { Action: 'GetEverything' } }, 100000007],
      [{ params: { AppId: null } }, 100000001],
      [{ params: { AppId: '12ab' } }, 100000001],
      [{ params: { AppId: '4294967296' } }, 100000001],
      [{ appId: 42 }, 100000010],
      [{ params: { Timestamp: null } }, 100000002],
      [{ timestamp: '1.5e9' }, 100000003],
      [{ timestamp: now - 601 }, 100000004],
      [{ timestamp: now + 700 }, 100000004],
      [{ params: { SignatureNonce: null } }, 100000008],
      [{ params: { Signature: null } }, 100000009],
      [{ params: { Signature: 'ab'.repeat(16) } }, 100000005],
      [{ secret: 'not-the-secret' }, 100000005],
      [{ params: { SignatureVersion: null } }, 100000013],
      [{ params: { SignatureVersion: '1.0' } }, 100000014],
      [{ params: { IsTest: 'yes' } }, 10001],
    ];
    for (const [common, code] of cases) {
      const { status, body, id } = await call(emu.url, 'GetBizUsage', [], common);
      assert.equal(status, 200);
      assert.equal(body.Code, code, JSON.stringify(common));
      assert.match(id, /^\d{19}$/);
    }

    const ms = await call(emu.url, 'GetBizUsage', [], { timestamp: Date.now() });
    assert.equal(ms.body.Code, 100000003);
    assert.match(ms.body.Message, /milliseconds/);
  });

  test('the rate limit answers 30002 on the 4th call within a minute', async () => {
    await fetch(`${emu.url}_emulator/reset`, { method: 'POST' });
    const business = [['StartDate', '20240101'], ['EndDate', '20240102'], ...metrics('fft')];
    const codes = [];
    for (let i = 0; i < 4; i += 1) {
      codes.push((await call(emu.url, 'GetBizQuality', business)).body.Code);
    }
    assert.deepEqual(codes, [0, 0, 0, 30002]);

    // Failing the gateway does not count, other actions have their own window.
    const stale = { timestamp: Math.floor(Date.now() / 1000) - 3600 };
    assert.equal((await call(emu.url, 'GetBizQuality', business, stale)).body.Code, 100000004);
    const usage = [['StartDate', '20240101'], ['EndDate', '20240102'], ...metrics('play_count')];
    assert.equal((await call(emu.url, 'GetBizUsage', usage)).body.Code, 0);

    // Turned off through the control endpoint, then back on.
    const off = await fetch(`${emu.url}_emulator/config`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ rateLimit: false }),
    });
    assert.deepEqual(await off.json(), { rateLimit: false, clockOffsetMs: 0 });
    assert.equal((await call(emu.url, 'GetBizQuality', business)).body.Code, 0);
    await fetch(`${emu.url}_emulator/config`, { method: 'POST', body: '{"rateLimit":true}' });
    assert.equal((await call(emu.url, 'GetBizQuality', business)).body.Code, 30002);

    await fetch(`${emu.url}_emulator/reset`, { method: 'POST' });
    assert.equal((await call(emu.url, 'GetBizQuality', business)).body.Code, 0);
  });

  test('the per-second limit of the detail actions', async () => {
    const t = Date.now() - 60_000;
    const business = [
      ['RoomId', 'r'], ['UserId', 'u'], ['StreamId', 's'], ['StreamType', 'play'],
      ['StartTs', t], ['EndTs', t + 30_000],
    ];
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => call(emu.url, 'GetStreamBaseInfo', business)),
    );
    const codes = replies.map((r) => r.body.Code).sort();
    assert.deepEqual(codes, [0, 0, 0, 30002, 30002]);
  });

  test('bad config bodies are refused', async () => {
    const post = (body) => fetch(`${emu.url}_emulator/config`, { method: 'POST', body });
    assert.equal((await post('{"rateLimit":"no"}')).status, 400);
    assert.equal((await post('{"speed":1}')).status, 400);
    assert.equal((await post('nope')).status, 400);
    const config = await (await fetch(`${emu.url}_emulator/config`)).json();
    assert.deepEqual(config, { rateLimit: true, clockOffsetMs: 0 });
  });
});

describe('without rate limits', () => {
  let emu;
  before(async () => {
    emu = await startEmulator({ rateLimit: false });
  });
  after(() => emu.close());

  const biz = (start, end, ...names) => [
    ['StartDate', start], ['EndDate', end], ...metrics(...names),
  ];

  test('the option turns the limit off', async () => {
    const codes = [];
    for (let i = 0; i < 5; i += 1) {
      const business = biz('20240101', '20240101', 'play_count');
      codes.push((await call(emu.url, 'GetBizUsage', business)).body.Code);
    }
    assert.deepEqual(codes, [0, 0, 0, 0, 0]);
  });

  test('business parameter checks', async () => {
    const cases = [
      [biz('20240101', '20240107', 'no_such_metric'), 10002],
      [biz('20240101', '20240107'), 10002],
      [biz('20240107', '20240101', 'fft'), 10002],
      [biz('2024-01-01', '20240107', 'fft'), 10001],
      [biz('20240230', '20240301', 'fft'), 10001],
      [biz('20230101', '20240301', 'fft'), 10002],
      [[['EndDate', '20240101'], ...metrics('fft')], 10001],
      [[['Metrics', 'fft'], ['StartDate', '20240101'], ['EndDate', '20240101']], 10002],
    ];
    for (const [business, code] of cases) {
      const { body } = await call(emu.url, 'GetBizQuality', business);
      assert.equal(body.Code, code, JSON.stringify(business));
    }

    const extra = [...biz('20240101', '20240102', 'fft'), ['Unrelated', 'x']];
    assert.equal((await call(emu.url, 'GetBizQuality', extra)).body.Code, 0);
  });

  test('strict query decoding', async () => {
    const business = biz('20240101', '20240101', 'fft');
    const raw = (nonce, extra = '') => call(emu.url, 'GetBizQuality', business, {
      nonce, raw: true, params: extra ? { X: extra } : {},
    });

    // "+" is a plus sign: signed as "a+b" and sent as "a+b", the signature holds.
    assert.equal((await raw('a+b')).body.Code, 0);
    assert.equal((await raw('a%2Bb')).body.Code, 100000005);
    assert.equal((await raw('n', '%ZZ')).body.Code, 10001);
    assert.equal((await raw('n', '%E4%B8')).body.Code, 10001);
    assert.equal((await raw('n', '%FF')).body.Code, 10001);
    assert.equal((await raw('n', 'a{b}')).body.Code, 10001);
    assert.equal((await raw('n', '%E4%B8%AD')).body.Code, 0);

    const encodedKey = signedUrl(emu.url, 'GetBizQuality', business).replace(
      'Metrics[]', 'Metrics%5B%5D');
    assert.match(encodedKey, /Metrics%5B%5D=fft/);
    const reply = await get(encodedKey);
    assert.equal(reply.body.Data.Metrics[0].Metric, 'fft');

    const twice = await call(emu.url, 'GetBizQuality', [...business, ['StartDate', '20240101']]);
    assert.equal(twice.body.Code, 10001);
  });

  test('real-time actions give one point per second of the last two hours', async () => {
    const start = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    const business = [['StartTs', start], ['EndTs', start + 5_000], ...metrics(
      'video_break_rate', 'uplink_rtt')];
    const { body } = await call(emu.url, 'GetRealtimeQuality', business);
    assert.equal(body.Code, 0);
    const [breaks, rtt] = body.Data.Metrics;
    assert.deepEqual(breaks.Values.map((v) => v.Timestamp),
      [0, 1, 2, 3, 4, 5].map((i) => start + i * 1000));
    assert.ok(breaks.Values.every((v) => v.Value >= 0 && v.Value <= 1));
    assert.ok(rtt.Values.every((v) => Number.isInteger(v.Value)));

    const old = [['StartTs', start - 5 * 3600_000], ['EndTs', start - 4 * 3600_000],
      ...metrics('online_user')];
    const empty = await call(emu.url, 'GetRealtimeUsage', old);
    assert.deepEqual(empty.body.Data.Metrics, [{ Metric: 'online_user', Values: [] }]);

    const tail = [['StartTs', Date.now() - 3_000], ['EndTs', 0], ...metrics('online_user')];
    const live = await call(emu.url, 'GetRealtimeUsage', tail);
    assert.ok(live.body.Data.Metrics[0].Values.length >= 2);

    const seconds = [['StartTs', Math.floor(start / 1000)], ['EndTs', 0],
      ...metrics('online_user')];
    const wrong = await call(emu.url, 'GetRealtimeUsage', seconds);
    assert.equal(wrong.body.Code, 10002);
    assert.match(wrong.body.Message, /seconds/);
  });

  test('GetRegionQualityDetail', async () => {
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 3600_000;
    const hour = [['StartTs', start], ['EndTs', start + 3600_000]];
    const { body } = await call(emu.url, 'GetRegionQualityDetail', hour);
    assert.equal(body.Code, 0);
    assert.equal(body.Data.List.length, 61);
    for (const entry of body.Data.List) {
      assert.deepEqual(entry.QualityInfo.map((q) => q.Region), ['中国', '美国', '新加坡']);
      for (const info of entry.QualityInfo) {
        for (const [name, detail] of Object.entries(info)) {
          if (!name.endsWith('Detail') || name === 'LoginSuccessRateDetail') continue;
          const rates = Object.entries(detail).filter(([k]) => k.startsWith('Rate'));
          assert.ok(Math.abs(sum(rates.map(([, v]) => v)) - 1) < 1e-3, name);
        }
        assert.ok(info.LoginSuccessRateDetail.LoginSuccessRate <= 1);
      }
    }

    const one = await call(emu.url, 'GetRegionQualityDetail',
      [['Region', '美国'], ['Platform', 'web'], ...hour]);
    assert.deepEqual(one.body.Data.List[0].QualityInfo.map((q) => q.Region), ['美国']);

    const long = [['StartTs', start - 1], ['EndTs', start + 3600_000]];
    assert.equal((await call(emu.url, 'GetRegionQualityDetail', long)).body.Code, 10002);
    const platform = [['Platform', 'ios'], ...hour];
    assert.equal((await call(emu.url, 'GetRegionQualityDetail', platform)).body.Code, 10002);
  });

  test('GetStreamBaseInfo', async () => {
    const start = Date.now() - 600_000;
    const stream = [['RoomId', 'room 1/ä'], ['UserId', 'u+1'], ['StreamId', 's&1']];
    const business = [...stream, ['StreamType', 'publish'], ['StartTs', start],
      ['EndTs', start + 60_000]];
    const { body } = await call(emu.url, 'GetStreamBaseInfo', business);
    assert.equal(body.Code, 0);
    const names = body.Data.Metrics.map((m) => m.Metric);
    assert.deepEqual(names, ['isp', 'net_type', 'os_type', 'device_model', 'sdk_version',
      'region']);
    const netTypes = ['2G', '3G', '4G', '5G', 'WIFI', 'LINE', 'NONE', 'UNKNOWN'];
    for (const metric of body.Data.Metrics) {
      assert.ok(metric.Values.length > 0);
      for (const { Timestamp, Value } of metric.Values) {
        assert.equal(typeof Value, 'string');
        assert.ok(Timestamp >= start && Timestamp <= start + 60_000);
        if (metric.Metric === 'net_type') assert.ok(netTypes.includes(Value));
      }
    }

    const badType = business.map(([k, v]) => [k, k === 'StreamType' ? 'pull' : v]);
    assert.equal((await call(emu.url, 'GetStreamBaseInfo', badType)).body.Code, 10002);
    const noRoom = business.map(([k, v]) => [k, k === 'RoomId' ? '' : v]);
    assert.equal((await call(emu.url, 'GetStreamBaseInfo', noRoom)).body.Code, 10002);
  });

  test('publish and play quality detail', async () => {
    const start = Math.floor(Date.now() / 10_000) * 10_000 - 3600_000;
    const stream = [['RoomId', 'r'], ['UserId', 'u'], ['StreamId', 's']];
    const range = [['StartTs', start], ['EndTs', start + 60_000]];

    const publish = await call(emu.url, 'GetPublishQualityDetail',
      [...stream, ...range, ...metrics('video_bitrate', 'encode_resolution')]);
    assert.equal(publish.body.Code, 0);
    const [bitrate, resolution] = publish.body.Data.Metrics;
    assert.equal(bitrate.Values.length, 7);
    assert.ok(bitrate.Values.every((v) => Number.isInteger(v.Value)));
    assert.ok(resolution.Values.every((v) => /^\d+\*\d+$/.test(v.Value)));

    const play = await call(emu.url, 'GetPlayQualityDetail',
      [...stream, ...range, ...metrics('mos', 'decode_resolution')]);
    assert.equal(play.body.Code, 0);
    assert.ok(play.body.Data.Metrics[0].Values.every((v) => v.Value >= 0 && v.Value <= 5));

    const wrongSide = [...stream, ...range, ...metrics('encode_resolution')];
    assert.equal((await call(emu.url, 'GetPlayQualityDetail', wrongSide)).body.Code, 10002);
    const tooLong = [...stream, ['StartTs', start - 86_400_000], ['EndTs', start + 1],
      ...metrics('mos')];
    assert.equal((await call(emu.url, 'GetPlayQualityDetail', tooLong)).body.Code, 10002);
  });

  test('every request to / is recorded, accepted or not', async () => {
    await fetch(`${emu.url}_emulator/reset`, { method: 'POST' });
    await call(emu.url, 'GetBizUsage', biz('20240101', '20240101', 'play_count'));
    await get(`${emu.url}?Action=GetBizUsage&AppId=%ZZ`);
    await get(`${emu.url}`);

    const log = await (await fetch(`${emu.url}_emulator/requests`)).json();
    assert.equal(log.count, 3);
    const [good, broken, bare] = log.requests;
    assert.equal(good.action, 'GetBizUsage');
    assert.equal(good.appId, String(DEMO_APP.appId));
    assert.match(good.signature, /^[0-9a-f]{32}$/);
    assert.match(good.query, /&Metrics\[\]=play_count$/);
    assert.equal(broken.action, null);
    assert.equal(broken.query, 'Action=GetBizUsage&AppId=%ZZ');
    assert.equal(bare.query, '');
  });

  test('other paths, CORS', async () => {
    const missing = await get(`${emu.url}v1/anything`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: 'not found' });

    const local = 'http://localhost:5173';
    const allowed = await get(emu.url, { headers: { Origin: local } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), local);
    const foreign = await get(emu.url, { headers: { Origin: 'https://example.com' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);

    const preflight = await fetch(emu.url, {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:8080', 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8080');
    assert.match(preflight.headers.get('access-control-allow-methods'), /GET/);
  });
});

describe('command line', () => {
  /** Spawns the emulator and resolves with the child and the first stdout line. */
  function launch(args) {
    const child = spawn(process.execPath, [SERVER, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: child.stdout });
    const first = new Promise((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    });
    return first.then((line) => ({ child, line }));
  }

  function exited(child) {
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  }

  test('--port 0 prints the base URL first and stops on SIGTERM', async () => {
    const { child, line } = await launch(['--port', '0', '--quiet']);
    try {
      assert.match(line, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const log = await (await fetch(`${line}_emulator/requests`)).json();
      assert.deepEqual(log, { count: 0, requests: [] });
    } finally {
      const done = exited(child);
      child.kill('SIGTERM');
      assert.equal(await done, 0);
    }
  });

  test('--no-rate-limit and --app', async () => {
    const app = `${VECTOR.appId}:${VECTOR.secret}`;
    const { child, line } = await launch(['--no-rate-limit', '--quiet', '--app', app]);
    try {
      const common = { appId: VECTOR.appId, secret: VECTOR.secret };
      const business = [['StartDate', '20240101'], ['EndDate', '20240101'],
        ...metrics('play_count')];
      const codes = [];
      for (let i = 0; i < 4; i += 1) {
        codes.push((await call(line, 'GetBizUsage', business, common)).body.Code);
      }
      assert.deepEqual(codes, [0, 0, 0, 0]);
    } finally {
      const done = exited(child);
      child.kill('SIGINT');
      assert.equal(await done, 0);
    }
  });

  test('a bad option is refused', async () => {
    const child = spawn(process.execPath, [SERVER, '--port', 'x'], { stdio: 'ignore' });
    assert.equal(await exited(child), 2);
  });
});
