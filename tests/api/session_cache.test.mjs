// A signed-in session ends the moment it is ended, whoever ends it: the
// server keeps the sessions it read lately in memory (SQLite), and none of
// them may outlive a logout, a password change, a disabled account, a
// changed role, its expiry or its idle timeout — including when the change
// comes from another process on the same database (the CLI, a second
// server). Each session is used three times before the change: the server
// caches a token from its second read on, so the third answer came from
// the cache.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { SANFU, startServer, client, addUser, expectError } from './lib.mjs';

let srv;

before(async () => {
	srv = await startServer();
});
after(async () => {
	if (srv) await srv.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function newUser(s, login, password, role = 'dispatcher') {
	const r = await addUser(s, login, password, role);
	assert.equal(r.code, 0, r.stderr);
	return Number(/id (\d+)/.exec(r.stdout)[1]);
}

// Sign in on url and use the session until the server answers it from
// its cache; the client is returned.
async function warm(url, login, password) {
	const c = client(url);
	assert.equal((await c.login(login, password)).status, 200);
	for (let i = 0; i < 3; i++) {
		const me = await c.get('/api/v1/me');
		assert.equal(me.status, 200, me.text);
		assert.equal(me.json.login, login);
	}
	return c;
}

function cookieOf(c) {
	return [...c.jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

async function refused(url, cookie) {
	const r = await client(url).get('/api/v1/me', { headers: { Cookie: cookie } });
	expectError(assert, r, 401, 'unauthenticated');
}

// A second `sanfu serve` on the same database; resolves to {url, stop()}.
async function secondServer(db) {
	const env = {};
	for (const [k, v] of Object.entries(process.env))
		if (!k.startsWith('SANFU_') || k.startsWith('SANFU_TEST_')) env[k] = v;
	const child = spawn(SANFU, ['serve', '--db', db, '--scan-interval', '0', '--fast-hash',
		'--listen', '127.0.0.1:0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
	let log = '';
	child.stderr.on('data', (d) => (log += d));
	const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
	const deadline = Date.now() + 15000;
	for (;;) {
		const m = /\(port (\d+)\)/.exec(log);
		if (m) {
			const url = `http://127.0.0.1:${m[1]}`;
			try {
				if ((await fetch(`${url}/healthz`)).status === 200)
					return {
						url,
						stop: async () => {
							child.kill('SIGTERM');
							assert.equal(await exited, 0, log);
						},
					};
			} catch {
				/* not yet */
			}
		}
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`second server did not start: ${log}`);
		}
		await sleep(20);
	}
}

test('logout ends a session the server had cached, and the old cookie stays dead', async () => {
	await newUser(srv, 'lin', 'Lin123456');
	const c = await warm(srv.url, 'lin', 'Lin123456');
	const cookie = cookieOf(c);
	assert.equal((await c.logout()).status, 200);
	await refused(srv.url, cookie);
});

test('changing the password ends the other cached sessions at once, not this one', async () => {
	await newUser(srv, 'he', 'He12345678');
	const phone = await warm(srv.url, 'he', 'He12345678');
	const desk = await warm(srv.url, 'he', 'He12345678');
	const r = await desk.post('/api/v1/me/password', {
		old_password: 'He12345678',
		new_password: 'He87654321',
	});
	assert.equal(r.status, 200, r.text);
	await refused(srv.url, cookieOf(phone));
	assert.equal((await desk.get('/api/v1/me')).status, 200, 'the session in use goes on');
});

test('an admin disabling a user or changing their role takes effect on the next request', async () => {
	await newUser(srv, 'boss', 'Boss12345', 'admin');
	const admin = client(srv.url);
	assert.equal((await admin.login('boss', 'Boss12345')).status, 200);
	const luoId = await newUser(srv, 'luo', 'Luo123456', 'admin');
	const luo = await warm(srv.url, 'luo', 'Luo123456');
	// An admin may add users: an empty body is refused for its fields.
	assert.equal((await luo.post('/api/v1/users', {})).status, 400);
	const role = await admin.patch(`/api/v1/users/${luoId}`, { role: 'dispatcher' });
	assert.equal(role.status, 200, role.text);
	const me = await luo.get('/api/v1/me');
	assert.equal(me.status, 200, me.text);
	assert.equal(me.json.role, 'dispatcher');
	expectError(assert, await luo.post('/api/v1/users', {}), 403, 'role_not_allowed');

	const off = await admin.patch(`/api/v1/users/${luoId}`, { disabled: true });
	assert.equal(off.status, 200, off.text);
	await refused(srv.url, cookieOf(luo));
});

test('the CLI disabling a user or setting a password ends their cached sessions', async () => {
	await newUser(srv, 'qin', 'Qin123456');
	const c = await warm(srv.url, 'qin', 'Qin123456');
	const d = await srv.sanfu('user', 'disable', 'qin');
	assert.equal(d.code, 0, d.stderr);
	await refused(srv.url, cookieOf(c));
	assert.equal((await srv.sanfu('user', 'enable', 'qin')).code, 0);

	const again = await warm(srv.url, 'qin', 'Qin123456');
	const p = await srv.sanfu('user', 'passwd', 'qin', { env: { SANFU_PASSWORD: 'Qin654321' } });
	assert.equal(p.code, 0, p.stderr);
	await refused(srv.url, cookieOf(again));
	assert.equal((await client(srv.url).login('qin', 'Qin654321')).status, 200);
});

test('a logout or a disabled account on a second server ends the session on the first', async () => {
	await newUser(srv, 'tang', 'Tang12345');
	await newUser(srv, 'root2', 'Root12345', 'admin');
	const other = await secondServer(srv.db);
	try {
		// Signed in on the first server, signed out through the second.
		const c = await warm(srv.url, 'tang', 'Tang12345');
		const out = await client(other.url).post('/api/v1/auth/logout', {}, {
			headers: { Cookie: cookieOf(c), 'X-CSRF-Token': c.csrf },
		});
		assert.equal(out.status, 200, out.text);
		await refused(srv.url, cookieOf(c));

		// Disabled by an admin on the second server.
		const d = await warm(srv.url, 'tang', 'Tang12345');
		const admin = client(other.url);
		assert.equal((await admin.login('root2', 'Root12345')).status, 200);
		const me = (await d.get('/api/v1/me')).json;
		const off = await admin.patch(`/api/v1/users/${me.id}`, { disabled: true });
		assert.equal(off.status, 200, off.text);
		await refused(srv.url, cookieOf(d));
	} finally {
		await other.stop();
	}
});

test('a cached session expires on time, and one left idle ends', async () => {
	const short = await startServer({ args: ['--session-ttl', '2'] });
	try {
		await newUser(short, 'ttl', 'Ttl123456');
		const c = await warm(short.url, 'ttl', 'Ttl123456');
		await sleep(2200);
		await refused(short.url, cookieOf(c));
	} finally {
		await short.stop();
	}
	const idle = await startServer({ args: ['--session-idle', '2'] });
	try {
		await newUser(idle, 'idle', 'Idle12345');
		const c = await warm(idle.url, 'idle', 'Idle12345');
		await sleep(2200);
		await refused(idle.url, cookieOf(c));
	} finally {
		await idle.stop();
	}
});
