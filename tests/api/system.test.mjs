// What an operator relies on: /healthz, /metrics in Prometheus text, JSON
// response headers, one JSON log line per request, keep-alive, and a
// graceful shutdown that answers the requests in flight.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { startServer, client, addUser, run, DB_KIND } from './lib.mjs';

let srv;

before(async () => {
	srv = await startServer();
	const r = await addUser(srv, 'ops', 'Ops123456', 'admin');
	assert.equal(r.code, 0, r.stderr);
});
after(async () => {
	if (srv) await srv.stop();
});

test('/healthz answers ok with the version and uptime', async () => {
	const r = await client(srv.url).get('/healthz');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.status, 'ok');
	const v = await run(['--version']);
	assert.equal(v.stdout.trim(), `sanfu ${r.json.version}`);
	assert.equal(typeof r.json.uptime_s, 'number');
	assert.ok(r.json.uptime_s >= 0);
});

function metric(text, line) {
	const re = new RegExp(`^${line.replace(/[{}"()|.+*?[\]\\]/g, '\\$&')} (\\S+)$`, 'm');
	const m = re.exec(text);
	return m ? Number(m[1]) : null;
}

test('/metrics is Prometheus text with request counts by route and the order gauges', async () => {
	const c = client(srv.url);
	const before = await c.get('/metrics');
	assert.equal(before.status, 200);
	assert.match(before.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
	const key = 'sanfu_http_requests_total{route="me.get",status="401"}';
	const n0 = metric(before.text, key) || 0;
	await c.get('/api/v1/me');
	await c.get('/api/v1/me');
	await c.get('/api/v1/me');
	const m = await c.get('/metrics');
	assert.equal(metric(m.text, key), n0 + 3, m.text);
	assert.ok(metric(m.text, 'sanfu_http_requests_total{route="metrics",status="200"}') >= 1);
	assert.match(m.text, /^# TYPE sanfu_http_requests_total counter$/m);
	assert.match(m.text, /^# TYPE sanfu_orders gauge$/m);
	assert.match(m.text, /^# TYPE sanfu_http_request_duration_seconds histogram$/m);
	assert.equal(metric(m.text, 'sanfu_orders_overdue'), 0, 'a fresh database has none overdue');
	assert.ok(metric(m.text, 'sanfu_uptime_seconds') >= 0);
	// Every sample line is NAME{labels} VALUE, every value a number.
	for (const line of m.text.split('\n')) {
		if (!line || line.startsWith('#')) continue;
		assert.match(line, /^[a-z_:][a-z0-9_:]*(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [-+0-9.eInf]+$/,
			`not a Prometheus sample: ${line}`);
	}
	for (const line of m.text.split('\n').filter((l) => l.startsWith('sanfu_orders{')))
		assert.match(line, /^sanfu_orders\{state="[a-z_]+"\} \d+$/);
	// Requests that hit no route are counted too, without one label per URL.
	await c.get('/api/v1/no/such/thing/' + Date.now());
	const after = await c.get('/metrics');
	assert.ok(!after.text.includes('no/such/thing'), 'unknown paths must not become labels');
});

test('/metrics counts the work orders by state, as the database holds them', async (t) => {
	const s = await startServer({ seed: true });
	try {
		const m = await client(s.url).get('/metrics');
		assert.equal(m.status, 200);
		const byState = {};
		for (const [, state, n] of m.text.matchAll(/^sanfu_orders\{state="([a-z_]+)"\} (\d+)$/gm))
			byState[state] = Number(n);
		assert.ok(Object.keys(byState).length >= 5, `order states in /metrics: ${m.text}`);
		assert.ok(metric(m.text, 'sanfu_orders_overdue') >= 0);
		if (DB_KIND !== 'sqlite') return;
		const r = spawnSync('sqlite3', [s.db, 'select state, count(*) from orders group by state'],
			{ encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
		const want = Object.fromEntries(r.stdout.trim().split('\n')
			.map((l) => l.split('|')).map(([k, v]) => [k, Number(v)]));
		assert.deepEqual(byState, want);
	} finally {
		await s.stop();
	}
});

test('every JSON answer says so, with nosniff and no-store', async () => {
	const c = client(srv.url);
	const answers = [
		await c.get('/healthz'),
		await c.get('/api/v1/me'),
		await c.get('/api/v1/nope'),
		await c.request('DELETE', '/api/v1/auth/login'),
		await c.post('/api/v1/auth/login', { login: 'ops' }),
		await c.post('/api/v1/auth/login', 'x'.repeat(1100000), {
			raw: true,
			headers: { 'Content-Type': 'application/json' },
		}),
		await c.login('ops', 'Ops123456'),
		await c.get('/api/v1/me'),
	];
	for (const r of answers) {
		assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8',
			`${r.status} ${r.text.slice(0, 80)}`);
		assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
		assert.equal(r.headers.get('cache-control'), 'no-store');
		assert.ok(r.json !== null, `body is JSON: ${r.text.slice(0, 80)}`);
	}
	assert.deepEqual(answers.map((r) => r.status), [200, 401, 404, 405, 400, 413, 200, 200]);
});

test('the server logs one JSON line per request, without secrets', async () => {
	const c = client(srv.url);
	const marker = `/healthz?probe=${Date.now()}`;
	await c.get(marker);
	await c.login('ops', 'Ops123456');
	await c.get('/api/v1/me');
	await new Promise((r) => setTimeout(r, 50));
	const lines = srv.log().trim().split('\n');
	const parsed = lines.map((l) => {
		try {
			return JSON.parse(l);
		} catch {
			assert.fail(`a log line that is not JSON: ${l}`);
		}
	});
	const reqs = parsed.filter((e) => e.msg === 'request');
	const hz = reqs.find((e) => e.route === 'healthz' && e.status === 200);
	assert.ok(hz, 'the /healthz request is logged');
	for (const k of ['ts', 'level', 'method', 'path', 'status', 'ms', 'ip'])
		assert.ok(k in hz, `request log lines carry ${k}`);
	assert.match(hz.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
	const me = reqs.filter((e) => e.route === 'me.get' && e.status === 200).pop();
	assert.ok(me && me.user > 0, 'a signed-in request names the user id');
	const failed = reqs.find((e) => e.status === 401);
	assert.ok(failed && failed.error, 'a failed request names its error code');
	const all = srv.log();
	assert.ok(!all.includes('Ops123456'), 'the password is never logged');
	const session = [...c.jar.values()][0];
	assert.ok(session && !all.includes(session), 'the session token is never logged');
	assert.ok(!all.includes(c.csrf), 'the CSRF token is never logged');
});

test('log_requests=false silences the request lines', async () => {
	const s = await startServer({ env: { SANFU_LOG_REQUESTS: 'false' } });
	try {
		await client(s.url).get('/healthz');
		await client(s.url).get('/api/v1/me');
		assert.ok(!s.log().includes('"msg":"request"'), s.log());
	} finally {
		await s.stop();
	}
});

function agentGet(agent, port, path, method = 'GET', body = null) {
	return new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port, path, method, agent,
			headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
			let text = '';
			res.on('data', (d) => (text += d));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text,
				reused: req.reusedSocket, socket: req.socket }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

test('keep-alive: several requests, reads and writes, share one connection', async () => {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	try {
		const a = await agentGet(agent, srv.port, '/healthz');
		const b = await agentGet(agent, srv.port, '/api/v1/auth/login', 'POST',
			JSON.stringify({ login: 'ops', password: 'wrong-pass-1' }));
		const c = await agentGet(agent, srv.port, '/api/v1/me');
		assert.equal(a.status, 200);
		assert.equal(b.status, 401);
		assert.equal(c.status, 401);
		assert.notEqual(a.headers.connection, 'close', 'the server closed after a GET');
		assert.notEqual(b.headers.connection, 'close', 'the server closed after a POST');
		assert.equal(b.reused, true, 'the second request reused the connection');
		assert.equal(c.reused, true, 'the third request reused the connection');
		assert.equal(a.socket, c.socket);
	} finally {
		agent.destroy();
	}
	// Clear the failed sign-in so later tests start clean.
	assert.equal((await client(srv.url).login('ops', 'Ops123456')).status, 200);
});

function exitOf(s) {
	return new Promise((resolve) => {
		if (s.child.exitCode !== null || s.child.signalCode !== null)
			resolve({ code: s.child.exitCode, signal: s.child.signalCode });
		else s.child.on('exit', (code, signal) => resolve({ code, signal }));
	});
}

test('SIGTERM finishes a request still being uploaded, then exits 0', async () => {
	const s = await startServer();
	const r = await s.sanfu('user', 'add', 'late', '--name', 'Late', '--role', 'grid', {
		env: { SANFU_PASSWORD: 'Late12345' },
	});
	assert.equal(r.code, 0, r.stderr);
	const body = JSON.stringify({ login: 'late', password: 'Late12345' });
	const sock = net.connect(s.port, '127.0.0.1');
	await new Promise((res) => sock.on('connect', res));
	let reply = '';
	sock.on('data', (d) => (reply += d));
	const closed = new Promise((res) => sock.on('close', res));
	sock.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' +
		`Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n` +
		body.slice(0, 10));
	await new Promise((res) => setTimeout(res, 150));
	const exited = exitOf(s);
	s.child.kill('SIGTERM');
	await new Promise((res) => setTimeout(res, 300));
	assert.equal(s.child.exitCode, null, 'the server waits for the request in flight');
	sock.write(body.slice(10));
	await closed;
	assert.match(reply, /^HTTP\/1\.1 200 /, reply);
	assert.match(reply, /"login":"late"/);
	const e = await exited;
	assert.equal(e.code, 0, `exit ${e.code} ${e.signal}: ${s.log()}`);
	assert.match(s.log(), /finishing requests in flight/);
	assert.match(s.log(), /"msg":"stopped"/);
	await s.stop();
});

test('SIGTERM during slow argon2 sign-ins answers them all, then exits 0', async () => {
	// Real password hashing cost here: each sign-in takes a noticeable time.
	const s = await startServer({ fastHash: false, args: ['--threads', '4'] });
	const r = await s.sanfu('user', 'add', 'slow', '--name', 'Slow', '--role', 'grid', {
		env: { SANFU_PASSWORD: 'Slow12345', SANFU_FAST_HASH: '' },
	});
	assert.equal(r.code, 0, r.stderr);
	const t0 = Date.now();
	const first = await client(s.url).login('slow', 'Slow12345');
	assert.equal(first.status, 200, first.text);
	const oneLogin = Date.now() - t0;
	let last = 0;
	const logins = Array.from({ length: 4 }, () =>
		client(s.url).login('slow', 'Slow12345').then((a) => {
			last = Date.now();
			return a;
		}));
	const exited = exitOf(s);
	// Long enough for the connections to be accepted, well short of a hash.
	await new Promise((res) => setTimeout(res, Math.max(10, Math.min(40, oneLogin / 3))));
	const killed = Date.now();
	s.child.kill('SIGTERM');
	const answers = await Promise.all(logins);
	assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200],
		answers.map((a) => a.text).join('\n'));
	assert.ok(last > killed, 'the sign-ins were still running when SIGTERM came');
	const e = await exited;
	assert.equal(e.code, 0, s.log());
	await s.stop();
});
