// The harness every API test uses: start the real sanfu binary on a free
// loopback port with a fresh temporary database, talk to it over HTTP like
// a browser or a machine would (cookie, CSRF token, Bearer token), run the
// CLI against the same database, and stop it. Node built-ins only.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD = path.resolve(ROOT, process.env.BUILD || 'build');
export const SANFU = process.env.SANFU_BIN
	? path.resolve(ROOT, process.env.SANFU_BIN)
	: path.join(BUILD, 'sanfu');
// sqlite (default) or postgres; postgres needs SANFU_TEST_PG_URL, a URL of
// a server where the tests may create and drop databases.
export const DB_KIND = process.env.SANFU_TEST_DB_KIND || 'sqlite';

const live = new Set();

// The environment a child gets: the test's own without any SANFU_ setting
// from the developer's shell (a stray SANFU_DB would point the tests at a
// real database), plus what the test asks for.
function childEnv(more) {
	const env = {};
	for (const [k, v] of Object.entries(process.env))
		if (!k.startsWith('SANFU_') || k.startsWith('SANFU_TEST_')) env[k] = v;
	return { ...env, ...more };
}
let dbSeq = 0;

process.on('exit', () => {
	for (const s of live) {
		try {
			s.child.kill('SIGKILL');
		} catch {
			/* already gone */
		}
		rmSync(s.dir, { recursive: true, force: true });
	}
});

// Run the sanfu binary with args; opts: {env, input, cwd, timeout}. The
// environment is the test's own plus SANFU_FAST_HASH=1 (cheap argon2 for
// the users tests create) unless opts.env overrides it.
export function run(args, opts = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(SANFU, args, {
			cwd: opts.cwd || ROOT,
			env: childEnv({ SANFU_FAST_HASH: '1', ...(opts.env || {}) }),
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout || 30000);
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({ code: code === null ? -1 : code, signal, stdout, stderr });
		});
		child.stdin.on('error', () => {}); // a command that reads no input may exit first
		child.stdin.end(opts.input || '');
	});
}

function psql(url, sql) {
	return new Promise((resolve, reject) => {
		const child = spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let err = '';
		child.stderr.on('data', (d) => (err += d));
		child.on('error', reject);
		child.on('close', (code) =>
			code === 0 ? resolve() : reject(new Error(`psql: ${sql}: ${err}`)));
	});
}

// A fresh database for one server: a file in dir for SQLite, a new
// database on the test server for PostgreSQL. Returns {db, drop()}.
async function freshDb(dir) {
	if (DB_KIND === 'sqlite')
		return { db: path.join(dir, 't.db'), drop: async () => {} };
	if (DB_KIND !== 'postgres')
		throw new Error(`SANFU_TEST_DB_KIND must be sqlite or postgres, not ${DB_KIND}`);
	const admin = process.env.SANFU_TEST_PG_URL;
	if (!admin)
		throw new Error('SANFU_TEST_DB_KIND=postgres needs SANFU_TEST_PG_URL');
	const name = `sanfu_t_${process.pid}_${++dbSeq}`;
	await psql(admin, `CREATE DATABASE ${name}`);
	const u = new URL(admin);
	u.pathname = `/${name}`;
	return {
		db: u.toString(),
		drop: () => psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
	};
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Start `sanfu serve` on a fresh database.
//   opts.seed: load the demo data first (sanfu seed-demo);
//   opts.args: more serve flags (a --listen here replaces the free port);
//   opts.listen: false to pass no --listen (the config file or env decides);
//   opts.env: more environment for the server and the CLI;
//   opts.fastHash: false to hash passwords at the real cost;
//   opts.setup(srv): async, runs after init and before serve (CLI only).
// Returns {url, port, dir, db, child, log(), sanfu(...args[, opts]),
// stop()}; sanfu runs the CLI on the same database and resolves to
// {code, stdout, stderr}; stop() sends SIGTERM, waits for the exit and
// removes the temporary directory, resolving to {code, signal}.
export async function startServer(opts = {}) {
	const dir = mkdtempSync(path.join(tmpdir(), 'sanfu-test-'));
	const { db, drop } = await freshDb(dir);
	const env = { ...(opts.env || {}) };
	if (opts.fastHash === false) env.SANFU_FAST_HASH = '';
	const srv = { dir, db, env, child: null };

	srv.sanfu = (...args) => {
		const o = typeof args[args.length - 1] === 'object' ? args.pop() : {};
		return run([...args, '--db', db], { ...o, env: { ...env, ...(o.env || {}) } });
	};
	try {
		let r = await srv.sanfu('init');
		if (r.code !== 0) throw new Error(`sanfu init failed (${r.code}): ${r.stderr}`);
		if (opts.seed) {
			r = await srv.sanfu('seed-demo');
			if (r.code !== 0)
				throw new Error(`sanfu seed-demo failed (${r.code}): ${r.stderr}`);
		}
		if (opts.setup) await opts.setup(srv);
	} catch (e) {
		await drop().catch(() => {});
		rmSync(dir, { recursive: true, force: true });
		throw e;
	}

	const extra = opts.args || [];
	const args = ['serve', '--db', db, '--scan-interval', '0'];
	if (opts.fastHash !== false) args.push('--fast-hash');
	if (opts.listen !== false && !env.SANFU_LISTEN &&
	    !extra.some((a) => a === '--listen' || a.startsWith('--listen=')))
		args.push('--listen', '127.0.0.1:0');
	args.push(...extra);

	let log = '';
	const child = spawn(SANFU, args, {
		cwd: ROOT,
		env: childEnv(env),
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	srv.child = child;
	live.add(srv);
	child.stderr.on('data', (d) => (log += d));
	srv.log = () => log;
	const exited = new Promise((resolve) =>
		child.on('exit', (code, signal) => resolve({ code, signal })));
	let gone = null;
	exited.then((e) => (gone = e));

	// A server that does not exit 0 on SIGTERM (a crash on the way out, a
	// leak under the sanitizers) fails the test that stops it.
	srv.stop = async (signal = 'SIGTERM') => {
		const wasGone = !!gone;
		if (!gone) child.kill(signal);
		const t = setTimeout(() => child.kill('SIGKILL'), 15000);
		const e = await exited;
		clearTimeout(t);
		if (!live.has(srv)) return e;
		live.delete(srv);
		await drop().catch(() => {});
		rmSync(dir, { recursive: true, force: true });
		if (!wasGone && signal === 'SIGTERM' && e.code !== 0)
			throw new Error(`sanfu serve exited ${e.code ?? e.signal} on SIGTERM: ${log.slice(-2000)}`);
		return e;
	};

	// The server logs "... (port N)" once it listens; then /healthz answers.
	const deadline = Date.now() + 15000;
	for (;;) {
		if (gone) {
			live.delete(srv);
			rmSync(dir, { recursive: true, force: true });
			throw new Error(`sanfu serve exited (${gone.code ?? gone.signal}): ${log}`);
		}
		if (Date.now() > deadline) {
			await srv.stop('SIGKILL');
			throw new Error(`sanfu serve did not answer /healthz in time: ${log}`);
		}
		const m = /\(port (\d+)\)/.exec(log);
		if (m) {
			srv.port = Number(m[1]);
			srv.url = `http://127.0.0.1:${srv.port}`;
			try {
				const res = await fetch(`${srv.url}/healthz`);
				await res.arrayBuffer();
				if (res.status === 200) return srv;
			} catch {
				/* not yet */
			}
		}
		await sleep(20);
	}
}

function cookiesOf(headers) {
	if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
	const one = headers.get('set-cookie');
	return one ? [one] : [];
}

// An HTTP client for one person or machine. opts.token sends
// "Authorization: Bearer TOKEN". After login() it keeps the session cookie
// and sends the CSRF token on every write, like the console does.
// Each call resolves to {status, json, text, headers}; opts of a call:
// {headers, raw (send body as is: string or Buffer), csrf: false}.
export function client(url, opts = {}) {
	const jar = new Map();
	const c = { url, csrf: null, token: opts.token || null, jar };

	c.request = async (method, p, body, o = {}) => {
		const headers = { ...(o.headers || {}) };
		const lower = Object.fromEntries(Object.keys(headers).map((k) => [k.toLowerCase(), k]));
		let payload;
		if (body !== undefined && body !== null) {
			if (o.raw) {
				payload = body;
			} else {
				payload = JSON.stringify(body);
				if (!lower['content-type']) headers['Content-Type'] = 'application/json';
			}
		}
		if (jar.size && !lower.cookie)
			headers.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
		if (c.token && !lower.authorization) headers.Authorization = `Bearer ${c.token}`;
		if (c.csrf && o.csrf !== false && method !== 'GET' && method !== 'HEAD' &&
		    !lower['x-csrf-token'])
			headers['X-CSRF-Token'] = c.csrf;
		const res = await fetch(url + p, { method, headers, body: payload });
		for (const sc of cookiesOf(res.headers)) {
			const [pair, ...attrs] = sc.split(';');
			const eq = pair.indexOf('=');
			const name = pair.slice(0, eq).trim();
			const value = pair.slice(eq + 1).trim();
			const expired = !value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
			if (expired) jar.delete(name);
			else jar.set(name, value);
		}
		const text = await res.text();
		let json = null;
		if ((res.headers.get('content-type') || '').includes('json') && text) {
			try {
				json = JSON.parse(text);
			} catch {
				json = null;
			}
		}
		return { status: res.status, json, text, headers: res.headers };
	};
	c.get = (p, o) => c.request('GET', p, undefined, o);
	c.post = (p, b, o) => c.request('POST', p, b, o);
	c.patch = (p, b, o) => c.request('PATCH', p, b, o);
	c.put = (p, b, o) => c.request('PUT', p, b, o);
	c.delete = (p, b, o) => c.request('DELETE', p, b, o);
	c.login = async (login, password) => {
		const r = await c.post('/api/v1/auth/login', { login, password });
		if (r.status === 200 && r.json) c.csrf = r.json.csrf;
		return r;
	};
	c.logout = async () => {
		const r = await c.post('/api/v1/auth/logout', {});
		c.csrf = null;
		return r;
	};
	return c;
}

// The demo people's password (data/demo).
export const DEMO_PASSWORD = 'Sanfu2026';

// Demo people signed in on the server getSrv() answers, each once: the
// returned as(login) resolves to that person's client, with .me the
// sign-in's answer; a failed sign-in fails the test.
export function demoLogins(getSrv) {
	const sessions = new Map();
	return async (login) => {
		if (sessions.has(login)) return sessions.get(login);
		const c = client(getSrv().url);
		const r = await c.login(login, DEMO_PASSWORD);
		assert.equal(r.status, 200, `login ${login}: ${r.text}`);
		c.me = r.json;
		sessions.set(login, c);
		return c;
	};
}

// Add a user with the CLI; resolves to the CLI result (code 0 on success).
export function addUser(srv, login, password, role = 'admin', more = []) {
	return srv.sanfu('user', 'add', login, '--name', login, '--role', role, ...more, {
		env: { SANFU_PASSWORD: password },
	});
}

// A client signed in as a new user of the given role.
export async function signedIn(srv, login, role = 'admin', password = 'Passw0rd-' + login) {
	const r = await addUser(srv, login, password, role);
	if (r.code !== 0) throw new Error(`sanfu user add ${login}: ${r.stderr}`);
	const c = client(srv.url);
	const l = await c.login(login, password);
	if (l.status !== 200) throw new Error(`login ${login}: ${l.status} ${l.text}`);
	return c;
}

// Assert the one error shape: status, error.code and (when given) error.field.
export function expectError(assert, r, status, code, field) {
	const where = `${r.status} ${r.text}`;
	assert.equal(r.status, status, where);
	assert.ok(r.json && r.json.error, `no JSON error body: ${where}`);
	assert.equal(r.json.error.code, code, where);
	if (field !== undefined) assert.equal(r.json.error.field, field, where);
	assert.equal(typeof r.json.error.message, 'string', where);
	assert.ok(r.json.error.message.length > 0, where);
}

export function binaryExists() {
	return existsSync(SANFU);
}

// A loopback port nobody listens on right now.
export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

// Whether something answers HTTP /healthz on the port.
export async function answers(port) {
	try {
		const r = await fetch(`http://127.0.0.1:${port}/healthz`,
			{ signal: AbortSignal.timeout(2000) });
		await r.arrayBuffer();
		return r.status === 200;
	} catch {
		return false;
	}
}
