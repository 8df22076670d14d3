// Bad requests get the one JSON error shape {"error":{code,message,field}}
// with the right status, name the field at fault, and change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, addUser, expectError } from './lib.mjs';

let srv;
const LOGIN = '/api/v1/auth/login';
const JSON_TYPE = { 'Content-Type': 'application/json' };

before(async () => {
	srv = await startServer();
	const r = await addUser(srv, 'chen', 'Chen12345', 'dispatcher');
	assert.equal(r.code, 0, r.stderr);
});
after(async () => {
	if (srv) await srv.stop();
});

const raw = (body, headers = JSON_TYPE) => ({ raw: true, headers });

test('malformed JSON is 400 invalid_json and says where', async () => {
	const c = client(srv.url);
	const r = await c.post(LOGIN, '{"login": "chen", "password": ', raw());
	expectError(assert, r, 400, 'invalid_json', '');
	assert.match(r.json.error.message, /line 1, column \d+/);
	expectError(assert, await c.post(LOGIN, '', raw()), 400, 'invalid_json', '');
	const arr = await c.post(LOGIN, '["chen", "Chen12345"]', raw());
	expectError(assert, arr, 400, 'invalid_json', '');
	assert.match(arr.json.error.message, /JSON object/);
	const dup = await c.post(LOGIN, '{"login":"chen","login":"x","password":"Chen12345"}', raw());
	expectError(assert, dup, 400, 'invalid_json', '');
	const deep = '['.repeat(40) + ']'.repeat(40);
	expectError(assert, await c.post(LOGIN, deep, raw()), 400, 'too_deep', '');
});

test('bytes that are not UTF-8 are 400 invalid_utf8', async () => {
	const c = client(srv.url);
	const bad = Buffer.concat([
		Buffer.from('{"login":"'),
		Buffer.from([0xc3, 0x28, 0xff]),
		Buffer.from('","password":"Chen12345"}'),
	]);
	expectError(assert, await c.post(LOGIN, bad, raw()), 400, 'invalid_utf8', '');
	// An overlong encoding of '/' and a lone surrogate are not UTF-8 either.
	const overlong = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]);
	expectError(assert, await c.post(LOGIN, overlong, raw()), 400, 'invalid_utf8');
	const surrogate = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]);
	expectError(assert, await c.post(LOGIN, surrogate, raw()), 400, 'invalid_utf8');
	// A byte-order mark, as some Windows tools write, is fine.
	const bom = Buffer.concat([
		Buffer.from([0xef, 0xbb, 0xbf]),
		Buffer.from('{"login":"chen","password":"Chen12345"}'),
	]);
	assert.equal((await c.post(LOGIN, bom, raw())).status, 200);
});

test('a body over 1 MiB is 413 body_too_large; one just under is read', async () => {
	const c = client(srv.url);
	const big = '{"login":"chen","password":"' + 'x'.repeat(1 << 20) + '"}';
	const r = await c.post(LOGIN, big, raw());
	expectError(assert, r, 413, 'body_too_large', '');
	assert.match(r.json.error.message, /1048576 bytes/);
	// Under the cap the body is parsed, and the field cap answers instead.
	const under = '{"login":"chen","password":"' + 'x'.repeat((1 << 20) - 100) + '"}';
	expectError(assert, await c.post(LOGIN, under, raw()), 400, 'too_long', 'password');
});

test('body_max is configurable', async () => {
	const s = await startServer({ args: ['--body-max', '64'] });
	try {
		const c = client(s.url);
		const r = await c.post(LOGIN, { login: 'someone', password: 'p'.repeat(60) });
		expectError(assert, r, 413, 'body_too_large');
		expectError(assert, await c.post(LOGIN, { login: 'a', password: 'b' }), 401,
			'invalid_credentials');
	} finally {
		await s.stop();
	}
});

test('an unknown field is 400 unknown_field naming it', async () => {
	const c = client(srv.url);
	const r = await c.post(LOGIN, { login: 'chen', password: 'Chen12345', remember: true });
	expectError(assert, r, 400, 'unknown_field', 'remember');
	// A misspelt key is reported as unknown rather than as a missing field.
	const typo = await c.post(LOGIN, { login: 'chen', pasword: 'Chen12345' });
	expectError(assert, typo, 400, 'unknown_field', 'pasword');
});

test('a wrong type is 400 invalid_type naming the field', async () => {
	const c = client(srv.url);
	expectError(assert, await c.post(LOGIN, { login: 42, password: 'Chen12345' }), 400,
		'invalid_type', 'login');
	expectError(assert, await c.post(LOGIN, { login: 'chen', password: ['Chen12345'] }), 400,
		'invalid_type', 'password');
	expectError(assert, await c.post(LOGIN, { login: true, password: 'Chen12345' }), 400,
		'invalid_type', 'login');
	// null for a required field reads as leaving it out.
	expectError(assert, await c.post(LOGIN, { login: 'chen', password: null }), 400,
		'missing_field', 'password');
});

test('a missing or blank field is 400 missing_field naming it', async () => {
	const c = client(srv.url);
	expectError(assert, await c.post(LOGIN, { login: 'chen' }), 400, 'missing_field', 'password');
	expectError(assert, await c.post(LOGIN, { password: 'Chen12345' }), 400, 'missing_field',
		'login');
	expectError(assert, await c.post(LOGIN, { login: '   ', password: 'Chen12345' }), 400,
		'missing_field', 'login');
	expectError(assert, await c.post(LOGIN, {}), 400, 'missing_field');
});

test('an over-long field is 400 too_long; length counts characters, not bytes', async () => {
	const c = client(srv.url);
	const r = await c.post(LOGIN, { login: 'a'.repeat(65), password: 'Chen12345' });
	expectError(assert, r, 400, 'too_long', 'login');
	assert.match(r.json.error.message, /64 characters/);
	// 64 Chinese characters are 192 bytes but within the 64-character cap.
	const zh = await c.post(LOGIN, { login: '陈'.repeat(64), password: 'Chen12345' });
	expectError(assert, zh, 401, 'invalid_credentials');
	expectError(assert, await c.post(LOGIN, { login: '陈'.repeat(65), password: 'x' }), 400,
		'too_long', 'login');
	expectError(assert, await c.post(LOGIN, { login: 'chen', password: 'p'.repeat(257) }), 400,
		'too_long', 'password');
});

test('control characters in a one-line field are 400 invalid_field', async () => {
	const c = client(srv.url);
	expectError(assert, await c.post(LOGIN, { login: 'chen\nroot', password: 'Chen12345' }), 400,
		'invalid_field', 'login');
	expectError(assert, await c.post(LOGIN, '{"login":"chen\\u0000","password":"x"}', raw()),
		400, 'invalid_json');
});

test('a body that is not application/json is 415 naming Content-Type', async () => {
	const c = client(srv.url);
	const body = '{"login":"chen","password":"Chen12345"}';
	for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
		const r = await c.post(LOGIN, body, raw(body, { 'Content-Type': type }));
		expectError(assert, r, 415, 'unsupported_media_type', 'Content-Type');
	}
	const ok = await c.post(LOGIN, body, raw(body, { 'Content-Type': 'application/json; charset=utf-8' }));
	assert.equal(ok.status, 200, ok.text);
});

test('an unknown route is a 404 JSON error, also outside the API', async () => {
	const c = client(srv.url);
	const paths = ['/api/v1/nothing-here', '/api/v2/me', '/api/v1/me/extra',
		'/api/v1/orders/1/nothing'];
	for (const p of paths) {
		const r = await c.get(p);
		expectError(assert, r, 404, 'not_found', '');
		assert.match(r.headers.get('content-type'), /^application\/json/);
		assert.ok(r.json.error.message.includes(p), r.json.error.message);
	}
	const page = await c.get('/no-such-page.html');
	expectError(assert, page, 404, 'not_found');
	const escape = await c.get('/..%2f..%2fetc/passwd');
	assert.equal(escape.status, 404, escape.text);
	assert.ok(!escape.text.includes('root:'), 'no file outside web_dir is served');
});

test('a wrong method is 405 with an Allow header', async () => {
	const c = client(srv.url);
	for (const [method, p] of [['GET', LOGIN], ['DELETE', LOGIN], ['PUT', '/api/v1/me'],
		['POST', '/healthz'], ['PATCH', '/metrics']]) {
		const r = await c.request(method, p, method === 'GET' ? undefined : {});
		expectError(assert, r, 405, 'method_not_allowed', '');
		assert.ok(r.headers.get('allow'), `${method} ${p} has no Allow header`);
	}
	const odd = await c.request('PROPFIND', '/api/v1/me');
	expectError(assert, odd, 405, 'method_not_allowed');
});

test('too many query parameters is 400 too_many_parameters', async () => {
	const q = Array.from({ length: 60 }, (_, i) => `p${i}=${i}`).join('&');
	const r = await client(srv.url).get(`/healthz?${q}`);
	expectError(assert, r, 400, 'too_many_parameters', '');
	assert.equal((await client(srv.url).get('/healthz?a=1&b=2')).status, 200);
});

test('errors on /me/password name its fields too', async () => {
	const c = client(srv.url);
	assert.equal((await c.login('chen', 'Chen12345')).status, 200);
	const P = '/api/v1/me/password';
	expectError(assert, await c.post(P, { new_password: 'Chen54321' }), 400, 'missing_field',
		'old_password');
	expectError(assert, await c.post(P, { old_password: 'Chen12345', new_password: 5 }), 400,
		'invalid_type', 'new_password');
	expectError(assert, await c.post(P, { old_password: 'Chen12345', new_password: 'Chen54321',
		confirm: 'Chen54321' }), 400, 'unknown_field', 'confirm');
	expectError(assert, await c.post(P, 'old=Chen12345', raw('', { 'Content-Type': 'text/plain' })),
		415, 'unsupported_media_type');
	// Nothing changed: the old password still signs in.
	assert.equal((await client(srv.url).login('chen', 'Chen12345')).status, 200);
});

test('rejected bodies change nothing: they do not count as failed sign-ins', async () => {
	const r = await addUser(srv, 'huang', 'Huang12345', 'grid');
	assert.equal(r.code, 0, r.stderr);
	const c = client(srv.url);
	const bad = [
		{ login: 'huang', password: 12345678 },
		{ login: 'huang', password: 'p'.repeat(300) },
		{ login: 'huang', password: 'x', extra: 1 },
		{ login: 'huang' },
		{ login: 'huang', password: ['a'] },
		{ login: 'huang', password: {} },
	];
	for (const b of bad) assert.equal((await c.post(LOGIN, b)).status, 400);
	const ok = await c.login('huang', 'Huang12345');
	assert.equal(ok.status, 200, `six rejected bodies must not lock the account: ${ok.text}`);
});
