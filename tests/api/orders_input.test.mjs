// Bad input to the work-order endpoints — creating, acting, listing,
// uploading — is refused with the right status, error code and field, and
// stores nothing; good attachments go in and come back byte for byte.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import { startServer, client, expectError, DB_KIND, demoLogins } from './lib.mjs';

const UPLOAD_MAX = 1000;
let srv;

before(async () => {
	srv = await startServer({ seed: true, args: ['--upload-max', String(UPLOAD_MAX)] });
});
after(async () => {
	if (srv) await srv.stop();
});

function sql(q) {
	const r = DB_KIND === 'sqlite'
		? spawnSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, q], { encoding: 'utf8' })
		: spawnSync('psql', [srv.db, '-qAtc', q], { encoding: 'utf8' });
	assert.equal(r.status, 0, `${q}: ${r.stderr}`);
	const lines = r.stdout.split('\n');
	if (lines.at(-1) === '') lines.pop();
	return lines.map((l) => l.split('|'));
}
const count = (table) => Number(sql(`SELECT COUNT(*) FROM ${table}`)[0][0]);

const as = demoLogins(() => srv);

async function listCount(c) {
	let n = 0;
	let cursor = null;
	do {
		const r = await c.get('/api/v1/orders?limit=200' + (cursor ? `&cursor=${cursor}` : ''));
		assert.equal(r.status, 200, r.text);
		n += r.json.items.length;
		cursor = r.json.next_cursor;
	} while (cursor);
	return n;
}

// What a person would notice changed on an order.
async function snapshot(c, id) {
	const r = await c.get(`/api/v1/orders/${id}`);
	assert.equal(r.status, 200, r.text);
	const o = r.json;
	return {
		state: o.state, version: o.version, events: o.timeline.length, dept: o.dept,
		attachments: o.attachments.length, updated: o.updated_at, deadline: o.deadline,
	};
}

const GOOD = {
	title: '良睦路人行道地砖松动',
	description: '良睦路公交站旁人行道地砖松动，老人容易绊倒。',
	category: 'road_damage',
	channel: 'phone',
	requester: { kind: 'person', name: '王大伯', phone: '13857102222' },
	address: '良睦路公交站',
	area_unit_id: 16,
};
const JSON_HDR = { 'Content-Type': 'application/json' };
const raw = (headers = JSON_HDR) => ({ raw: true, headers });

test('creating an order with bad input is 400 naming the field, and stores nothing', async () => {
	const d = await as('dispatcher');
	const n0 = await listCount(d);
	const rows0 = count('orders');
	const events0 = count('order_events');
	const terms0 = count('order_terms');
	const with_ = (patch) => ({ ...GOOD, ...patch });
	const without = (k) => Object.fromEntries(Object.entries(GOOD).filter(([key]) => key !== k));
	const cases = [
		[with_({ priority: 'high' }), 'unknown_field', 'priority'],
		[with_({ requester: { name: '王', mobile: '13857102222' } }), 'unknown_field', 'requester.mobile'],
		[with_({ category: 'ufo_sighting' }), 'invalid_field', 'category'],
		[without('category'), 'missing_field', 'category'],
		[with_({ category: '' }), 'missing_field', 'category'],
		[without('title'), 'missing_field', 'title'],
		[with_({ title: null }), 'missing_field', 'title'],
		[with_({ title: ' \u3000 ' }), 'missing_field', 'title'],
		[with_({ title: '路'.repeat(101) }), 'too_long', 'title'],
		[with_({ title: 'a'.repeat(101) }), 'too_long', 'title'],
		[with_({ title: '第一行\n第二行' }), 'invalid_field', 'title'],
		[without('description'), 'missing_field', 'description'],
		[with_({ description: '述'.repeat(4001) }), 'too_long', 'description'],
		[with_({ title: 5 }), 'invalid_type', 'title'],
		[with_({ title: ['路灯'] }), 'invalid_type', 'title'],
		[with_({ description: { text: 'x' } }), 'invalid_type', 'description'],
		[with_({ requester: '王大伯' }), 'invalid_type', 'requester'],
		[with_({ requester: { phone: 13857102222 } }), 'invalid_type', 'requester.phone'],
		[with_({ requester: { phone: '1234' } }), 'invalid_field', 'requester.phone'], // under 5 digits
		[with_({ requester: { phone: '1385710222x' } }), 'invalid_field', 'requester.phone'],
		[with_({ requester: { kind: 'robot' } }), 'invalid_field', 'requester.kind'],
		[with_({ requester: { name: '名'.repeat(51) } }), 'too_long', 'requester.name'],
		[with_({ channel: 'fax' }), 'invalid_field', 'channel'],
		[with_({ channel: 7 }), 'invalid_type', 'channel'],
		[with_({ address: '址'.repeat(201) }), 'too_long', 'address'],
		[with_({ area_unit_id: 99999 }), 'invalid_field', 'area_unit_id'],
		[with_({ area_unit_id: '16' }), 'invalid_type', 'area_unit_id'],
		[with_({ area_unit_id: 0 }), 'out_of_range', 'area_unit_id'],
		[with_({ area_unit_id: 1.5 }), 'invalid_type', 'area_unit_id'],
		[with_({ dept_unit_id: 99999 }), 'invalid_field', 'dept_unit_id'],
		[with_({ lat: 91, lng: 120 }), 'out_of_range', 'lat'],
		[with_({ lat: 30.3, lng: 181 }), 'out_of_range', 'lng'],
		[with_({ lat: 30.3 }), 'missing_field', 'lng'],
		[with_({ auto_route: 'yes' }), 'invalid_type', 'auto_route'],
	];
	for (const [body, code, field] of cases) {
		const r = await d.post('/api/v1/orders', body);
		expectError(assert, r, 400, code, field);
	}
	// Bytes that are not a JSON object of UTF-8 text.
	const rawCases = [
		['{"title": "路灯", "description": ', 'invalid_json'],
		['', 'invalid_json'],
		['[]', 'invalid_json'],
		['"路灯坏了"', 'invalid_json'],
		['{"title":"a","title":"b","description":"x","category":"other"}', 'invalid_json'],
		['{"title":"a\\u0000b","description":"x","category":"other"}', 'invalid_json'],
		[Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xe8, 0xb7]),
			Buffer.from('","description":"x","category":"other"}')]), 'invalid_utf8'],
		[Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc0, 0xaf]),
			Buffer.from('","description":"x","category":"other"}')]), 'invalid_utf8'],
	];
	for (const [body, code] of rawCases) {
		const r = await d.post('/api/v1/orders', body, raw());
		expectError(assert, r, 400, code, '');
	}
	const text = await d.post('/api/v1/orders', JSON.stringify(GOOD), raw({ 'Content-Type': 'text/plain' }));
	expectError(assert, text, 415, 'unsupported_media_type', 'Content-Type');
	const noCsrf = await d.post('/api/v1/orders', GOOD, { csrf: false });
	expectError(assert, noCsrf, 403, 'csrf', 'X-CSRF-Token');
	const resident = await (await as('jumin')).post('/api/v1/orders', GOOD);
	expectError(assert, resident, 403, 'role_not_allowed');
	const anon = await client(srv.url).post('/api/v1/orders', GOOD);
	expectError(assert, anon, 401, 'unauthenticated');

	assert.equal(await listCount(d), n0, 'the list is as before');
	assert.equal(count('orders'), rows0);
	assert.equal(count('order_events'), events0);
	assert.equal(count('order_terms'), terms0);

	// The limits themselves are allowed (characters, not bytes).
	const edge = await d.post('/api/v1/orders', with_({ title: '路'.repeat(100), description: '述'.repeat(4000) }));
	assert.equal(edge.status, 201, edge.text);
	assert.equal([...edge.json.title].length, 100);
	assert.equal([...edge.json.description].length, 4000);
	const bare = await d.post('/api/v1/orders', { title: '咨询', description: '咨询公交线路。', category: 'transport' });
	assert.equal(bare.status, 201, bare.text);
	assert.equal(bare.json.channel, 'phone', 'a dispatcher\'s order comes by phone unless said');
	assert.equal(bare.json.requester.phone, null);
	assert.equal(await listCount(d), n0 + 2);
});

test('a dispatcher may route to another department than the category\'s', async () => {
	const d = await as('dispatcher');
	const r = await d.post('/api/v1/orders', { ...GOOD, dept_unit_id: 8 });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.state, 'assigned');
	assert.equal(r.json.dept.name, '综合执法中队');
	const held = await d.post('/api/v1/orders', { ...GOOD, auto_route: false });
	assert.equal(held.status, 201, held.text);
	assert.equal(held.json.state, 'submitted');
	assert.equal(held.json.dept, null);
	// Only dispatchers (and admin) route on creation; a community's call waits.
	const cq = await (await as('cangqian')).post('/api/v1/orders', { ...GOOD, auto_route: true });
	assert.equal(cq.status, 201, cq.text);
	assert.equal(cq.json.state, 'submitted');
	assert.deepEqual(cq.json.actions, ['note', 'attach']);
	assert.equal(cq.json.requester.name, '王**', 'the community sees the name masked, even its own');
});

test('actions with bad input are refused before anything is written', async () => {
	const d = await as('dispatcher');
	const mk = async (autoRoute) => {
		const r = await d.post('/api/v1/orders', { ...GOOD, auto_route: autoRoute });
		assert.equal(r.status, 201, r.text);
		return r.json.id;
	};
	const sub = await mk(false); // submitted
	const acc = await mk(false);
	assert.equal((await d.post(`/api/v1/orders/${acc}/actions/accept`, {})).status, 200);
	const other = await mk(false);
	const events0 = count('order_events');
	const snaps = { [sub]: await snapshot(d, sub), [acc]: await snapshot(d, acc) };
	const post = (id, action, body, o) => d.post(`/api/v1/orders/${id}/actions/${action}`, body, o);
	const cases = [
		[sub, 'frobnicate', {}, 404, 'unknown_action', 'action'],
		[sub, 'ACCEPT', {}, 404, 'unknown_action', 'action'],
		[sub, 'warn', {}, 403, 'action_not_allowed', 'action'],
		[sub, 'overdue', {}, 403, 'action_not_allowed', 'action'],
		[sub, 'escalate', {}, 403, 'action_not_allowed', 'action'],
		[sub, 'problem', {}, 403, 'action_not_allowed', 'action'],
		[sub, 'create', {}, 403, 'action_not_allowed', 'action'],
		[sub, 'attach', {}, 400, 'invalid_field', 'action'],
		[sub, 'accept', { priority: 1 }, 400, 'unknown_field', 'priority'],
		[sub, 'accept', { version: 'two' }, 400, 'invalid_type', 'version'],
		[sub, 'accept', { version: 0 }, 400, 'out_of_range', 'version'],
		[sub, 'reject', {}, 400, 'missing_field', 'reason'],
		[sub, 'reject', { reason: '   ' }, 400, 'missing_field', 'reason'],
		[sub, 'reject', { reason: '因'.repeat(201) }, 400, 'too_long', 'reason'],
		[sub, 'reject', { reason: 42 }, 400, 'invalid_type', 'reason'],
		[sub, 'merge', {}, 400, 'missing_field', 'target_id'],
		[sub, 'merge', { target_id: sub }, 400, 'invalid_field', 'target_id'],
		[sub, 'merge', { target_id: 999999 }, 400, 'invalid_field', 'target_id'],
		[sub, 'merge', { target_id: -3 }, 400, 'out_of_range', 'target_id'],
		[sub, 'note', {}, 400, 'missing_field', 'text'],
		[sub, 'note', { text: '注'.repeat(4001) }, 400, 'too_long', 'text'],
		[sub, 'note', { text: 'ok', public: 'yes' }, 400, 'invalid_type', 'public'],
		[sub, 'resolve', {}, 400, 'missing_field', 'result'],
		[sub, 'resolve', { result: '结'.repeat(4001) }, 400, 'too_long', 'result'],
		[sub, 'rate', {}, 400, 'missing_field', 'rating'],
		[sub, 'rate', { rating: 'great' }, 400, 'invalid_field', 'rating'],
		[sub, 'rate', { rating: 'none' }, 400, 'invalid_field', 'rating'],
		[sub, 'return_call', {}, 400, 'missing_field', 'channel'],
		[sub, 'return_call', { channel: 'email' }, 400, 'invalid_field', 'channel'],
		[sub, 'return_call', { channel: 'phone', contact: '人'.repeat(51) }, 400, 'too_long', 'contact'],
		[sub, 'return', {}, 400, 'missing_field', 'reason'],
		[sub, 'return', { reason: 'lazy' }, 400, 'invalid_field', 'reason'],
		[sub, 'request_extension', { reason: '需要协调' }, 400, 'missing_field', 'days'],
		[sub, 'request_extension', { reason: '需要协调', days: 31 }, 400, 'out_of_range', 'days'],
		[acc, 'assign', {}, 400, 'missing_field', 'unit_id'],
		[acc, 'assign', { unit_id: 99999 }, 400, 'invalid_field', 'unit_id'],
		[acc, 'assign', { unit_id: '7' }, 400, 'invalid_type', 'unit_id'],
		[acc, 'assign', { unit_id: 7, user_id: 35 }, 400, 'invalid_field', 'user_id'], // 曹勇 is not 城建办
		[acc, 'assign', { unit_id: 7, user_id: 99999 }, 400, 'invalid_field', 'user_id'],
		[acc, 'assign', { unit_id: 7, bogus: 1 }, 400, 'unknown_field', 'bogus'],
	];
	for (const [id, action, body, status, code, field] of cases) {
		const r = await post(id, action, body);
		expectError(assert, r, status, code, field);
	}
	const rawCases = [
		['{"reason": ', 400, 'invalid_json'],
		['[1,2]', 400, 'invalid_json'],
		['null', 400, 'invalid_json'],
		[Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 400, 'invalid_utf8'],
	];
	for (const [body, status, code] of rawCases)
		expectError(assert, await post(sub, 'reject', body, raw()), status, code, '');
	expectError(assert, await post(sub, 'accept', '{}', raw({ 'Content-Type': 'text/plain' })), 415,
		'unsupported_media_type', 'Content-Type');
	expectError(assert, await d.post('/api/v1/orders/abc/actions/accept', {}), 400, 'invalid_field', 'id');
	expectError(assert, await d.post('/api/v1/orders/0/actions/accept', {}), 400, 'invalid_field', 'id');
	expectError(assert, await d.post('/api/v1/orders/999999/actions/accept', {}), 404, 'not_found');
	expectError(assert, await d.get('/api/v1/orders/999999'), 404, 'not_found');
	expectError(assert, await d.get('/api/v1/orders/-1'), 400, 'invalid_field', 'id');

	assert.deepEqual(await snapshot(d, sub), snaps[sub], 'the submitted order is untouched');
	assert.deepEqual(await snapshot(d, acc), snaps[acc], 'the accepted order is untouched');
	assert.equal(count('order_events'), events0, 'no event was written');
	// The same actions with good input do work (the refusals were the input's).
	const ok = await post(acc, 'assign', { unit_id: 7, user_id: 34 }); // 高鹏, 城建办
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.handler.name, '高鹏');
	const merged = await post(sub, 'merge', { target_id: other });
	assert.equal(merged.status, 200, merged.text);
	assert.equal(merged.json.state, 'merged');
	assert.equal(merged.json.merged_into.id, other);
});

test('impossible dates and bad filters in the list are 400 naming the parameter', async () => {
	const d = await as('dispatcher');
	for (const [q, field] of [
		['from=2026-02-30', 'from'],
		['from=2026-02-29', 'from'], // 2026 is not a leap year
		['to=2026-04-31', 'to'],
		['from=2026-00-10', 'from'],
		['to=2026-11-29T25:00:00%2B08:00', 'to'],
		['from=2026-11-29T10:00:00', 'from'], // no offset: ambiguous
		['from=29/11/2026', 'from'],
		['unit=abc', 'unit'],
		['state=submitted,,closed', 'state'],
	]) {
		const r = await d.get(`/api/v1/orders?${q}`);
		expectError(assert, r, 400, 'invalid_field', field);
	}
	const leap = await d.get('/api/v1/orders?from=2028-02-29');
	assert.equal(leap.status, 200, leap.text);
	assert.deepEqual(leap.json.items, []);
	const offset = await d.get('/api/v1/orders?to=2026-11-29T10:00:00%2B08:00');
	assert.equal(offset.status, 200, offset.text);
});

// ---- attachments ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});
function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}
// A real 1×1 PNG of one RGB colour.
function png(r, g, b) {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(1, 0);
	ihdr.writeUInt32BE(1, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // truecolour
	return Buffer.concat([
		Buffer.from('89504e470d0a1a0a', 'hex'),
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(Buffer.from([0, r, g, b]))),
		chunk('IEND', Buffer.alloc(0)),
	]);
}
const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

// The bytes of a download (the JSON client reads text).
async function download(c, p) {
	const res = await fetch(srv.url + p,
		{ headers: { Cookie: [...c.jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
	return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

function upload(c, id, body, type = 'image/png', q = '') {
	const headers = type ? { 'Content-Type': type } : {};
	return c.post(`/api/v1/orders/${id}/attachments${q}`, body, { raw: true, headers });
}

test('a photo uploads and downloads byte for byte; bad files are refused and not stored', async () => {
	const d = await as('dispatcher');
	const created = await d.post('/api/v1/orders', GOOD);
	assert.equal(created.status, 201, created.text);
	const id = created.json.id;
	const photo = png(200, 30, 30);
	assert.ok(photo.length < 100);

	const up = await upload(d, id, photo);
	assert.equal(up.status, 201, up.text);
	assert.equal(up.json.mime, 'image/png');
	assert.equal(up.json.size, photo.length);
	assert.equal(up.json.public, false);
	const o = (await d.get(`/api/v1/orders/${id}`)).json;
	assert.deepEqual(o.attachments.map((a) => [a.id, a.mime, a.size]), [[up.json.id, 'image/png', photo.length]]);
	const ev = o.timeline.at(-1);
	assert.equal(ev.action, 'attach');
	assert.equal(ev.action_label, '上传附件');
	assert.equal(ev.actor.name, '林悦');
	assert.equal(ev.details.attachment.id, up.json.id);
	const down = await download(d, `/api/v1/orders/${id}/attachments/${up.json.id}`);
	assert.equal(down.status, 200);
	assert.equal(down.type, 'image/png');
	assert.deepEqual(down.body, photo);
	// The department handling it downloads the same bytes; another does not see it.
	const cjDown = await download(await as('chengjian'), `/api/v1/orders/${id}/attachments/${up.json.id}`);
	assert.equal(cjDown.status, 200);
	assert.deepEqual(cjDown.body, photo);
	expectError(assert, await (await as('zhifa')).get(`/api/v1/orders/${id}/attachments/${up.json.id}`), 404,
		'not_found');
	expectError(assert, await d.get(`/api/v1/orders/${id}/attachments/999999`), 404, 'not_found');

	const att0 = count('attachments');
	const before = await snapshot(d, id);
	const bad = [
		[Buffer.from('this is a text file, not a picture\n'), 'image/png', 415, 'unsupported_media_type', 'Content-Type'],
		[JPEG, 'image/png', 415, 'unsupported_media_type', 'Content-Type'],
		[photo, 'text/plain', 415, 'unsupported_media_type', 'Content-Type'],
		[photo, 'image/svg+xml', 415, 'unsupported_media_type', 'Content-Type'],
		[photo, null, 415, 'unsupported_media_type', 'Content-Type'],
		[Buffer.alloc(0), 'image/png', 400, 'empty_body', ''],
		[Buffer.concat([photo, Buffer.alloc(UPLOAD_MAX + 1 - photo.length)]), 'image/png', 413, 'body_too_large', ''],
		[Buffer.concat([photo, Buffer.alloc(5 * UPLOAD_MAX)]), 'image/png', 413, 'body_too_large', ''],
	];
	for (const [body, type, status, code, field] of bad)
		expectError(assert, await upload(d, id, body, type), status, code, field);
	expectError(assert, await upload(d, id, photo, 'image/png', '?public=maybe'), 400, 'invalid_field', 'public');
	expectError(assert, await upload(await as('jumin'), id, photo), 403, 'role_not_allowed');
	expectError(assert, await upload(await as('zhifa'), id, photo), 404, 'not_found');
	expectError(assert, await upload(d, 999999, photo), 404, 'not_found');
	assert.equal(count('attachments'), att0, 'nothing stored');
	assert.deepEqual(await snapshot(d, id), before);

	// Exactly at the cap is fine; a JPEG as image/jpeg too.
	const full = Buffer.concat([photo, Buffer.alloc(UPLOAD_MAX - photo.length)]);
	const atCap = await upload(d, id, full);
	assert.equal(atCap.status, 201, atCap.text);
	assert.equal(atCap.json.size, UPLOAD_MAX);
	const jpeg = await upload(d, id, JPEG, 'image/jpeg; charset=binary');
	assert.equal(jpeg.status, 201, jpeg.text);
	assert.equal(jpeg.json.mime, 'image/jpeg');
	assert.equal(count('attachments'), att0 + 2);
});

test('the requester sees only the photos made public, and a closed order takes no more', async () => {
	const d = await as('dispatcher');
	const jumin = await as('jumin');
	const own = (await jumin.get('/api/v1/orders')).json.items;
	const open = own.find((o) => !['closed', 'rejected', 'merged'].includes(o.state));
	const closed = own.find((o) => o.state === 'closed');
	assert.ok(open && closed, 'the resident has an open and a closed order');
	const secret = await upload(d, open.id, png(0, 0, 0));
	const shown = await upload(d, open.id, png(0, 128, 0), 'image/png', '?public=1');
	assert.equal(secret.status, 201, secret.text);
	assert.equal(shown.status, 201, shown.text);
	assert.equal(shown.json.public, true);
	const mine = (await jumin.get(`/api/v1/orders/${open.id}`)).json;
	assert.deepEqual(mine.attachments.map((a) => a.id), [shown.json.id]);
	assert.ok(!mine.timeline.some((e) => e.details.attachment && e.details.attachment.id === secret.json.id),
		'the internal upload is not in the requester\'s timeline');
	const ok = await download(jumin, `/api/v1/orders/${open.id}/attachments/${shown.json.id}`);
	assert.equal(ok.status, 200);
	assert.deepEqual(ok.body, png(0, 128, 0));
	expectError(assert, await jumin.get(`/api/v1/orders/${open.id}/attachments/${secret.json.id}`), 404,
		'not_found');

	const att0 = count('attachments');
	const v0 = (await d.get(`/api/v1/orders/${closed.id}`)).json.version;
	expectError(assert, await upload(d, closed.id, png(1, 2, 3)), 409, 'illegal_transition');
	assert.equal(count('attachments'), att0, 'the refused file is not kept');
	assert.equal((await d.get(`/api/v1/orders/${closed.id}`)).json.version, v0);
});
