// The public portal: its API (submit, track, rate, photo) says only what a
// resident may know, and the portal page takes a photo that staff then see
// on the order. A server of its own, with small limits to hit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { client, expectError, startServer, SANFU } from '../api/lib.mjs';
import { CHROMIUM, PASSWORD, launch, person, signIn, withShots } from './browser.mjs';

// A real 2x2 PNG, so the browser can decode it.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');
const LIMIT = 6;

let srv;
let pub;
let disp;
let dept;

before(async () => {
	assert.ok(existsSync(SANFU), `no server binary at ${SANFU}: run make first`);
	srv = await startServer({ seed: true, args: ['--public-rate', String(LIMIT), '--upload-max', '4096'] });
	pub = client(srv.url);
	disp = client(srv.url);
	dept = client(srv.url);
	assert.equal((await disp.login('dispatcher', PASSWORD)).status, 200);
	assert.equal((await dept.login('chengjian', PASSWORD)).status, 200);
});

after(async () => {
	if (srv) await srv.stop();
});

let submitted = 0;
async function submit(body) {
	const r = await pub.post('/api/v1/public/orders', body);
	if (r.status === 201) submitted++;
	return r;
}

const track = (code, secret) => pub.get(`/api/v1/public/orders/${code}?secret=${encodeURIComponent(secret)}`);

async function staffAct(c, id, action, body = {}) {
	const r = await c.post(`/api/v1/orders/${id}/actions/${action}`, body);
	assert.equal(r.status, 200, `${action}: ${r.text}`);
	return r.json;
}

async function idOf(text) {
	const r = await disp.get(`/api/v1/orders?q=${encodeURIComponent(text)}`);
	assert.equal(r.json.items.length, 1, r.text);
	return r.json.items[0].id;
}

test('submitting checks its input and answers a tracking code, a secret and a private link', async () => {
	let r = await submit({ category: 'street_light', description: '', address: '仓前' });
	expectError(assert, r, 400, 'missing_field', 'description');
	r = await submit({ category: 'village_env', description: '村口垃圾堆放', address: '灵源村' });
	expectError(assert, r, 400, 'invalid_field', 'category');
	r = await submit({ category: 'street_light', description: '路灯不亮', address: '仓前', phone: 'abc' });
	expectError(assert, r, 400, 'invalid_field', 'phone');
	r = await submit({ category: 'street_light', description: '路灯不亮', address: '仓前', name: 'x' });
	expectError(assert, r, 400, 'unknown_field', 'name');
	assert.equal(submitted, 0);

	r = await submit({ category: 'street_light', description: '葛巷路口路灯不亮\n已经一周', address: '葛巷路口', phone: '13811112222' });
	assert.equal(r.status, 201, r.text);
	assert.match(r.json.tracking_code, /^[A-Z2-9]{10}$/);
	assert.ok(r.json.secret.length >= 40);
	assert.equal(r.json.url, `/portal/t/${r.json.tracking_code}#s=${r.json.secret}`);
	assert.equal(r.json.state, 'submitted');
	const id = await idOf('葛巷路口路灯');
	const o = (await disp.get(`/api/v1/orders/${id}`)).json;
	assert.equal(o.channel, 'web');
	assert.equal(o.title, '葛巷路口路灯不亮', 'the title is the first line of the description');
	assert.equal(o.requester.phone, '138****2222');
});

test('tracking needs the right secret and shows only public information', async () => {
	const mark = `内部备注${Date.now()}`;
	const r = await submit({ category: 'street_light', description: '文一西路人行道路灯倒伏', address: '文一西路', phone: '13933334444' });
	assert.equal(r.status, 201, r.text);
	const { tracking_code: code, secret } = r.json;

	const wrong = await track(code, `${secret}x`);
	expectError(assert, wrong, 404, 'not_found');
	const unknown = await track('ZZZZZZZZZZ', secret);
	assert.equal(unknown.text, wrong.text, 'unknown code and wrong secret must look the same');
	expectError(assert, await pub.get(`/api/v1/public/orders/${code}`), 404, 'not_found');
	assert.equal((await track(code.toLowerCase(), secret)).status, 200, 'codes are typed by hand: case does not matter');

	let v = (await track(code, secret)).json;
	assert.equal(v.state, 'submitted');
	assert.equal(v.can_rate, false);
	expectError(assert, await pub.post(`/api/v1/public/orders/${code}/rate`, { secret, rating: 'satisfied' }), 409, 'not_ratable');

	const id = await idOf('文一西路人行道路灯倒伏');
	const units = (await disp.get('/api/v1/units?kind=department')).json.items;
	const cj = units.find((u) => u.name === '城建办').id;
	await staffAct(disp, id, 'accept');
	await staffAct(disp, id, 'assign', { unit_id: cj });
	await staffAct(dept, id, 'start');
	await staffAct(dept, id, 'note', { text: mark, public: false });
	await staffAct(dept, id, 'note', { text: '已联系厂家，明天上午更换灯杆。', public: true });
	await staffAct(dept, id, 'resolve', { result: '已更换倒伏灯杆并恢复照明。' });
	await staffAct(disp, id, 'return_call', { channel: 'phone', contact: '诉求人之子赵某', summary: '群众对处理结果表示满意。' });

	const res = await track(code, secret);
	assert.equal(res.status, 200);
	v = res.json;
	assert.equal(v.state, 'feedback');
	assert.equal(v.result, '已更换倒伏灯杆并恢复照明。');
	assert.equal(v.return_call.summary, '群众对处理结果表示满意。');
	assert.equal(v.return_call.channel, 'phone');
	assert.equal(v.can_rate, true);
	const text = res.text;
	for (const secretThing of [mark, '赵某', '13933334444', '林悦', '冯建伟', 'requester', 'actor', 'contact', 'phone_']) {
		assert.ok(!text.includes(secretThing), `the public view shows ${secretThing}: ${text}`);
	}
	const actions = v.timeline.map((e) => e.action);
	assert.deepEqual(actions.filter((a) => a === 'note').length, 1, 'only the public note is in the public timeline');
	assert.ok(v.timeline.some((e) => e.text === '已联系厂家，明天上午更换灯杆。'));
	assert.ok(actions.includes('resolve') && actions.includes('return_call'));

	// Rating: once, with a valid value.
	expectError(assert, await pub.post(`/api/v1/public/orders/${code}/rate`, { secret, rating: 'great' }), 400, 'invalid_field', 'rating');
	expectError(assert, await pub.post(`/api/v1/public/orders/${code}/rate`, { secret: 'nope', rating: 'satisfied' }), 404, 'not_found');
	const rated = await pub.post(`/api/v1/public/orders/${code}/rate`, { secret, rating: 'basic', comment: '还可以' });
	assert.equal(rated.status, 200, rated.text);
	assert.equal(rated.json.rating, 'basic');
	assert.equal(rated.json.can_rate, false);
	expectError(assert, await pub.post(`/api/v1/public/orders/${code}/rate`, { secret, rating: 'satisfied' }), 409, 'already_rated');
	assert.equal((await disp.get(`/api/v1/orders/${id}`)).json.rating, 'basic');
});

test('photos: images only, checked by their bytes, size-capped and at most three', async () => {
	const r = await submit({ category: 'garbage', description: '东西大道垃圾桶满溢', address: '东西大道' });
	assert.equal(r.status, 201, r.text);
	const { tracking_code: code, secret } = r.json;
	const url = `/api/v1/public/orders/${code}/photo?secret=${encodeURIComponent(secret)}`;
	const send = (body, type) => pub.post(url, body, { raw: true, headers: { 'Content-Type': type } });

	expectError(assert, await send(Buffer.from('GIF89a not really'), 'image/png'), 415, 'unsupported_media_type');
	expectError(assert, await send(Buffer.from('<svg></svg>'), 'image/svg+xml'), 415, 'unsupported_media_type');
	expectError(assert, await send(Buffer.alloc(8192, 0xff), 'image/jpeg'), 413, 'body_too_large');
	expectError(assert, await pub.post(`/api/v1/public/orders/${code}/photo?secret=bad`, PNG, { raw: true, headers: { 'Content-Type': 'image/png' } }), 404, 'not_found');
	for (let i = 0; i < 3; i++) {
		const ok = await send(PNG, 'image/png');
		assert.equal(ok.status, 201, ok.text);
		assert.equal(ok.json.mime, 'image/png');
		assert.equal(ok.json.size, PNG.length);
	}
	expectError(assert, await send(PNG, 'image/png'), 409, 'too_many_photos');
	const v = (await track(code, secret)).json;
	assert.equal(v.photos, 3);
	assert.equal(v.can_add_photo, false);

	const id = await idOf('东西大道垃圾桶满溢');
	const o = (await disp.get(`/api/v1/orders/${id}`)).json;
	assert.equal(o.attachments.length, 3);
	assert.ok(o.attachments.every((a) => a.public && a.mime === 'image/png'));
	assert.equal(o.timeline.filter((e) => e.action === 'attach' && e.public).length, 3);
	const img = await disp.get(`/api/v1/orders/${id}/attachments/${o.attachments[0].id}`);
	assert.equal(img.status, 200);
});

test('the per-IP limit answers 429 with a message in Chinese and English, and failures do not count', async () => {
	while (submitted < LIMIT) {
		const r = await submit({ category: 'noise', description: `夜间噪音 ${submitted}`, address: '仓前' });
		assert.equal(r.status, 201, r.text);
	}
	const r = await submit({ category: 'noise', description: '再来一件', address: '仓前' });
	expectError(assert, r, 429, 'rate_limited');
	assert.match(r.json.error.message, /提交过于频繁/);
	assert.match(r.json.error.message, /Too many submissions/);
	// Staff work is not limited by the portal's limit.
	const staff = await disp.post('/api/v1/orders', { title: '电话反映噪音', description: '夜间噪音', category: 'noise', auto_route: false });
	assert.equal(staff.status, 201, staff.text);
});

test('a resident adds a photo on the portal and staff see it on the order', async (t) => {
	assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
	const local = await startServer({ seed: true, args: ['--public-rate', '10'] });
	const browser = await launch();
	const resident = await person(browser, local.url, 'portal-photo');
	const staff = await person(browser, local.url, 'portal-staff');
	try {
		await withShots(t.name, [resident, staff], async () => {
			const page = resident.page;
			await page.goto('/portal/');
			await page.getByLabel('问题类别').selectOption('road_damage');
			await page.getByLabel('问题描述').fill('良睦路非机动车道有一个大坑，雨天积水。');
			await page.getByLabel('地点').fill('良睦路');
			await page.getByLabel('照片（可选）').setInputFiles({ name: 'keng.png', mimeType: 'image/png', buffer: PNG });
			await page.getByRole('button', { name: '提交' }).click();
			await page.getByTestId('submitted').waitFor();
			assert.equal(await page.locator('p.error[role=alert]').count(), 0, 'the photo upload reported an error');
			await page.getByTestId('track-link').click();
			await page.getByTestId('public-state').waitFor();
			assert.match(await page.locator('ol.timeline').textContent(), /上传照片/);

			await signIn(staff, 'dispatcher');
			await staff.page.goto('/#/inbox?q=' + encodeURIComponent('良睦路非机动车道'));
			await staff.page.locator('table.orders tbody tr a').first().click();
			const img = staff.page.locator('.photo-list img').first();
			await img.waitFor();
			await staff.page.waitForFunction(() => {
				const i = document.querySelector('.photo-list img');
				return i && i.complete && i.naturalWidth === 2;
			});
			assert.ok(await img.getAttribute('alt'), 'photos have a text alternative');
		});
	} finally {
		await browser.close();
		await local.stop();
	}
});
