// Signing in and out, lockout, CSRF, disabled accounts, API tokens and
// password changes, as a person at the console or a machine would see them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, addUser, expectError } from './lib.mjs';

let srv;

before(async () => {
	srv = await startServer();
});
after(async () => {
	if (srv) await srv.stop();
});

async function newUser(login, password, role = 'dispatcher') {
	const r = await addUser(srv, login, password, role);
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, new RegExp(`added ${login}`));
}

test('login sets an HttpOnly SameSite=Strict session cookie and returns the CSRF token', async () => {
	await newUser('wang', 'Wang12345');
	const c = client(srv.url);
	const r = await c.login('wang', 'Wang12345');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.login, 'wang');
	assert.equal(r.json.role, 'dispatcher');
	assert.equal(typeof r.json.csrf, 'string');
	assert.ok(r.json.csrf.length >= 20, 'csrf token too short');
	const cookies = r.headers.getSetCookie();
	assert.equal(cookies.length, 1, cookies.join(' | '));
	const ck = cookies[0];
	assert.match(ck, /^sanfu_session=[^;]{20,}/, ck);
	assert.match(ck, /;\s*HttpOnly/i, ck);
	assert.match(ck, /;\s*SameSite=Strict/i, ck);
	assert.match(ck, /;\s*Path=\//, ck);
	assert.doesNotMatch(ck, /;\s*Secure/i, 'Secure is only set with secure_cookie');
	const me = await c.get('/api/v1/me');
	assert.equal(me.status, 200, me.text);
	assert.equal(me.json.login, 'wang');
	assert.equal(me.json.csrf, c.csrf, '/me gives the console the same CSRF token');
	assert.ok(!r.text.includes('pw_hash') && !r.text.includes('argon2'), 'no hash leaks');
});

test('a wrong password and an unknown login get the same 401 invalid_credentials', async () => {
	await newUser('li', 'Li12345678');
	const c = client(srv.url);
	const wrong = await c.login('li', 'Li1234567x');
	expectError(assert, wrong, 401, 'invalid_credentials', 'password');
	const nobody = await c.login('nobody', 'Li12345678');
	expectError(assert, nobody, 401, 'invalid_credentials', 'password');
	assert.equal(wrong.json.error.message, nobody.json.error.message);
	assert.equal(wrong.headers.getSetCookie().length, 0, 'no cookie on a failed login');
	const me = await c.get('/api/v1/me');
	expectError(assert, me, 401, 'unauthenticated');
});

test('five failed sign-ins lock the account, even against the right password', async () => {
	await newUser('zhao', 'Zhao12345');
	await newUser('zhaoneighbour', 'Zhao12345');
	const c = client(srv.url);
	for (let i = 1; i <= 4; i++)
		expectError(assert, await c.login('zhao', `wrong-${i}-pw`), 401, 'invalid_credentials');
	const fifth = await c.login('zhao', 'wrong-5-pw');
	expectError(assert, fifth, 423, 'account_locked', 'login');
	assert.match(fifth.json.error.message, /15 minutes/);
	const right = await c.login('zhao', 'Zhao12345');
	expectError(assert, right, 423, 'account_locked', 'login');
	assert.equal(c.jar.size, 0, 'a locked account gets no session');
	// Another account is not affected.
	assert.equal((await client(srv.url).login('zhaoneighbour', 'Zhao12345')).status, 200);
	// The audit log records the failures and the lock.
	const v = await srv.sanfu('audit', 'verify');
	assert.equal(v.code, 0, v.stdout + v.stderr);
	// An administrator setting a new password lifts the lock.
	const p = await srv.sanfu('user', 'passwd', 'zhao', { env: { SANFU_PASSWORD: 'Zhao54321' } });
	assert.equal(p.code, 0, p.stderr);
	assert.equal((await c.login('zhao', 'Zhao54321')).status, 200);
});

test('a lower lockout_attempts setting locks sooner', async () => {
	const s = await startServer({ args: ['--lockout-attempts', '2', '--lockout-secs', '120'] });
	try {
		const r = await s.sanfu('user', 'add', 'qian', '--name', 'Qian', '--role', 'grid', {
			env: { SANFU_PASSWORD: 'Qian12345' },
		});
		assert.equal(r.code, 0, r.stderr);
		const c = client(s.url);
		expectError(assert, await c.login('qian', 'nope1234'), 401, 'invalid_credentials');
		const second = await c.login('qian', 'nope1234');
		expectError(assert, second, 423, 'account_locked');
		assert.match(second.json.error.message, /2 minutes/);
	} finally {
		await s.stop();
	}
});

test('/me without a cookie is 401 unauthenticated', async () => {
	const r = await client(srv.url).get('/api/v1/me');
	expectError(assert, r, 401, 'unauthenticated');
	const forged = await client(srv.url).get('/api/v1/me', {
		headers: { Cookie: 'sanfu_session=not-a-real-session-token-at-all' },
	});
	expectError(assert, forged, 401, 'unauthenticated');
});

test('a cookie write without the X-CSRF-Token header is 403 csrf and changes nothing', async () => {
	await newUser('sun', 'Sun123456');
	const c = client(srv.url);
	assert.equal((await c.login('sun', 'Sun123456')).status, 200);
	const body = { old_password: 'Sun123456', new_password: 'Sun654321x' };
	const none = await c.post('/api/v1/me/password', body, { csrf: false });
	expectError(assert, none, 403, 'csrf', 'X-CSRF-Token');
	const wrong = await c.post('/api/v1/me/password', body, {
		headers: { 'X-CSRF-Token': 'x'.repeat(c.csrf.length) },
	});
	expectError(assert, wrong, 403, 'csrf', 'X-CSRF-Token');
	// Another session's token is no good either.
	const other = client(srv.url);
	await other.login('sun', 'Sun123456');
	const crossed = await c.post('/api/v1/me/password', body, {
		headers: { 'X-CSRF-Token': other.csrf },
	});
	expectError(assert, crossed, 403, 'csrf');
	// The password did not change.
	assert.equal((await client(srv.url).login('sun', 'Sun123456')).status, 200);
	assert.equal((await client(srv.url).login('sun', 'Sun654321x')).status, 401);
});

test('logout ends the session on the server, not only in the browser', async () => {
	await newUser('zhou', 'Zhou12345');
	const c = client(srv.url);
	assert.equal((await c.login('zhou', 'Zhou12345')).status, 200);
	const cookie = [...c.jar].map(([k, v]) => `${k}=${v}`).join('; ');
	assert.equal((await c.get('/api/v1/me')).status, 200);
	const out = await c.logout();
	assert.equal(out.status, 200, out.text);
	assert.equal(out.json.ok, true);
	assert.match(out.headers.getSetCookie()[0], /Max-Age=0/);
	expectError(assert, await c.get('/api/v1/me'), 401, 'unauthenticated');
	// Replaying the old cookie does not bring the session back.
	const replay = await client(srv.url).get('/api/v1/me', { headers: { Cookie: cookie } });
	expectError(assert, replay, 401, 'unauthenticated');
});

test('a disabled user cannot sign in, and their open sessions end', async () => {
	await newUser('wu', 'Wu12345678');
	const c = client(srv.url);
	assert.equal((await c.login('wu', 'Wu12345678')).status, 200);
	const d = await srv.sanfu('user', 'disable', 'wu');
	assert.equal(d.code, 0, d.stderr);
	assert.match(d.stdout, /wu: disabled/);
	expectError(assert, await c.get('/api/v1/me'), 401, 'unauthenticated');
	expectError(assert, await client(srv.url).login('wu', 'Wu12345678'), 401,
		'invalid_credentials', 'password');
	const list = await srv.sanfu('user', 'list');
	assert.match(list.stdout, /^wu\s.*disabled$/m);
	const e = await srv.sanfu('user', 'enable', 'wu');
	assert.equal(e.code, 0, e.stderr);
	assert.equal((await client(srv.url).login('wu', 'Wu12345678')).status, 200);
});

test('an API token works as Bearer without CSRF until it is revoked', async () => {
	await newUser('robotowner', 'Robot12345', 'admin');
	const add = await srv.sanfu('token', 'add', 'hotline', '--user', 'robotowner');
	assert.equal(add.code, 0, add.stderr);
	const token = add.stdout.trim();
	assert.match(token, /^[A-Za-z0-9_-]{20,}$/, 'the token is printed alone on stdout');
	assert.match(add.stderr, /shown only now/);
	const m = client(srv.url, { token });
	const me = await m.get('/api/v1/me');
	assert.equal(me.status, 200, me.text);
	assert.equal(me.json.login, 'robotowner');
	assert.equal(me.json.csrf, undefined, 'a token needs no CSRF token');
	// A write with the token and no CSRF header passes the CSRF check.
	const pw = await m.post('/api/v1/me/password', {
		old_password: 'Robot12345',
		new_password: 'Robot54321',
	});
	assert.equal(pw.status, 200, pw.text);
	assert.equal((await client(srv.url).login('robotowner', 'Robot54321')).status, 200);
	// The same name cannot be reused while the token lives.
	const dup = await srv.sanfu('token', 'add', 'hotline', '--user', 'robotowner');
	assert.equal(dup.code, 1);
	assert.match(dup.stderr, /exists/);
	const rv = await srv.sanfu('token', 'revoke', 'hotline');
	assert.equal(rv.code, 0, rv.stderr);
	expectError(assert, await m.get('/api/v1/me'), 401, 'invalid_token', 'Authorization');
	const again = await srv.sanfu('token', 'revoke', 'hotline');
	assert.equal(again.code, 1, 'revoking twice says so');
	const bogus = client(srv.url, { token: 'A'.repeat(43) });
	expectError(assert, await bogus.get('/api/v1/me'), 401, 'invalid_token');
	const noUser = await srv.sanfu('token', 'add', 'ghost', '--user', 'nobody');
	assert.equal(noUser.code, 1);
	assert.match(noUser.stderr, /no user 'nobody'/);
});

test('changing a password checks the old one and the policy', async () => {
	await newUser('zheng', 'Zheng12345');
	const c = client(srv.url);
	assert.equal((await c.login('zheng', 'Zheng12345')).status, 200);
	const wrongOld = await c.post('/api/v1/me/password', {
		old_password: 'Zheng00000',
		new_password: 'Zheng54321',
	});
	expectError(assert, wrongOld, 403, 'invalid_credentials', 'old_password');
	for (const weak of ['short1', 'onlyletters', '1234567890', '']) {
		const r = await c.post('/api/v1/me/password', {
			old_password: 'Zheng12345',
			new_password: weak,
		});
		const code = weak === '' ? 'missing_field' : 'weak_password';
		expectError(assert, r, 400, code, 'new_password');
	}
	const ok = await c.post('/api/v1/me/password', {
		old_password: 'Zheng12345',
		new_password: '郑Zheng2026',
	});
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.ok, true);
	expectError(assert, await client(srv.url).login('zheng', 'Zheng12345'), 401,
		'invalid_credentials');
	assert.equal((await client(srv.url).login('zheng', '郑Zheng2026')).status, 200);
	// The CLI holds the same policy.
	const weakCli = await srv.sanfu('user', 'add', 'feng', '--name', 'Feng', '--role', 'dept', {
		env: { SANFU_PASSWORD: 'abcdefgh' },
	});
	assert.equal(weakCli.code, 2);
	assert.match(weakCli.stderr, /at least 8 characters with letters and digits/);
	const badRole = await srv.sanfu('user', 'add', 'feng', '--name', 'Feng', '--role', 'boss', {
		env: { SANFU_PASSWORD: 'Feng12345' },
	});
	assert.equal(badRole.code, 2);
	assert.match(badRole.stderr, /--role must be one of/);
	const taken = await addUser(srv, 'zheng', 'Zheng12345');
	assert.equal(taken.code, 1);
	assert.match(taken.stderr, /taken/);
});
