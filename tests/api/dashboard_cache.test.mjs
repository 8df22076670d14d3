// The dashboard (/api/v1/stats/overview) is answered from an in-process
// cache (src/api/stats.c): it must never show anything a fresh computation
// would not. Each check warms the cache first, then changes something the
// answer counts or shows (a new order, a transition, a unit's or a
// category's name, the working-day calendar) and expects the very next answer to show it; and people
// of different scopes, languages and ranges each get their own answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, ROOT, demoLogins } from './lib.mjs';

let srv;

const as = demoLogins(() => srv);

async function dash(c, query = '') {
	const r = await c.get(`/api/v1/stats/overview${query}`);
	assert.equal(r.status, 200, r.text);
	return r;
}

// The answer without generated_at, which is the time of each request.
const body = (r) => r.text.replace(/,"generated_at":"[^"]*"\}$/, '}');
const stateCount = (d, s) => d.by_state.find((x) => x.state === s).count;
const deptOf = (d, id) => d.by_dept.find((x) => x.unit_id === id);

async function unitByCode(c, code) {
	const r = await c.get('/api/v1/units');
	assert.equal(r.status, 200, r.text);
	const u = r.json.items.find((x) => x.code === code);
	assert.ok(u, `unit ${code}`);
	return u;
}

async function metric(name) {
	const r = await fetch(`${srv.url}/metrics`);
	const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(await r.text());
	return m ? Number(m[1]) : null;
}

before(async () => {
	srv = await startServer({ seed: true });
});

after(async () => {
	if (srv) await srv.stop();
});

test('a repeated dashboard is the same answer, with its own generated_at', async () => {
	const d = await as('dispatcher');
	const a = await dash(d);
	const b = await dash(d);
	assert.equal(body(b), body(a));
	assert.match(b.json.generated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
	assert.ok(b.text.endsWith(`,"generated_at":"${b.json.generated_at}"}`), b.text.slice(-60));
	assert.equal(b.headers.get('content-type'), a.headers.get('content-type'));
	// /metrics counts the cache's hits: a third identical request is one.
	const hits = await metric('sanfu_dashboard_cache_hits_total');
	assert.ok(hits !== null, 'sanfu_dashboard_cache_hits_total in /metrics');
	await dash(d);
	assert.equal(await metric('sanfu_dashboard_cache_hits_total'), hits + 1);
});

test('a new order and its transitions show at once on a warm dashboard', async () => {
	const d = await as('dispatcher');
	const cj = await as('chengjian'); // 城建办
	const cjUnit = cj.me.unit.id;
	const before0 = (await dash(d)).json;
	const deptBefore = (await dash(cj)).json;
	await dash(d); // warm, twice
	await dash(cj);

	const created = await d.post('/api/v1/orders', {
		title: '文一西路人行道地砖松动',
		description: '文一西路人行道上好几块地砖松动，老人走路容易绊倒。',
		category: 'other',
		channel: 'phone',
		auto_route: false,
	});
	assert.equal(created.status, 201, created.text);
	assert.equal(created.json.state, 'submitted');
	const id = created.json.id;
	let now = (await dash(d)).json;
	assert.equal(now.totals.received, before0.totals.received + 1);
	assert.equal(now.totals.open, before0.totals.open + 1);
	assert.equal(stateCount(now, 'submitted'), stateCount(before0, 'submitted') + 1);

	// Accept: one order moves from submitted to accepted.
	let r = await d.post(`/api/v1/orders/${id}/actions/accept`, {});
	assert.equal(r.status, 200, r.text);
	const accepted = (await dash(d)).json;
	assert.equal(stateCount(accepted, 'submitted'), stateCount(now, 'submitted') - 1);
	assert.equal(stateCount(accepted, 'accepted'), stateCount(now, 'accepted') + 1);
	assert.equal(accepted.totals.received, now.totals.received);

	// Assign to 城建办: the department's own (warm) dashboard counts it.
	r = await d.post(`/api/v1/orders/${id}/actions/assign`, { unit_id: cjUnit });
	assert.equal(r.status, 200, r.text);
	const dept = (await dash(cj)).json;
	assert.equal(dept.scope, 'dept');
	assert.equal(dept.totals.received, deptBefore.totals.received + 1);
	assert.equal(stateCount(dept, 'assigned'), stateCount(deptBefore, 'assigned') + 1);
	now = (await dash(d)).json;
	assert.equal(deptOf(now, cjUnit).count, deptOf(before0, cjUnit).count + 1);
	assert.equal(stateCount(now, 'assigned'), stateCount(accepted, 'assigned') + 1);
});

test('people of different scopes never get each other\'s cached answer', async () => {
	const d = await as('dispatcher');
	const leader = await as('leader');
	const cj = await as('chengjian');
	const zf = await as('zhifa'); // 综合执法中队
	const cy = await as('cangyi'); // a community
	const all = await dash(d);
	// Every department's dashboard, each asked twice (the second from the
	// cache), is exactly its share of everything.
	for (const c of [cj, zf, cj, zf]) {
		const mine = (await dash(c)).json;
		const share = deptOf(all.json, c.me.unit.id);
		assert.ok(share && share.count > 0, `${c.me.login} handles orders in the demo`);
		assert.equal(mine.scope, 'dept');
		assert.equal(mine.totals.received, share.count, c.me.login);
		assert.deepEqual(mine.by_dept.map((x) => x.unit_id), [c.me.unit.id], c.me.login);
	}
	assert.notEqual(body(await dash(cj)), body(await dash(zf)));
	const community = (await dash(cy)).json;
	assert.equal(community.scope, 'area');
	assert.ok(community.totals.received < all.json.totals.received);
	// Everyone who sees everything shares one answer.
	assert.equal(body(await dash(leader)), body(all));
	// The same person in another language or range is another answer.
	const en = await dash(cj, '?lang=en');
	assert.equal(en.json.totals.received, (await dash(cj)).json.totals.received);
	assert.ok(en.json.by_category.every((x, i) => typeof x.name === 'string' && i >= 0));
	assert.notEqual(body(en), body(await dash(cj)));
	const ranged = await dash(d, '?from=2000-01-01&to=2000-12-31');
	assert.equal(ranged.json.totals.received, 0);
	assert.equal(ranged.json.from, '2000-01-01T00:00:00+08:00');
	assert.notEqual((await dash(d)).json.totals.received, 0);
});

test('renaming a unit or a category shows at once on a warm dashboard', async () => {
	const admin = await as('admin');
	const d = await as('dispatcher');
	const zf = await unitByCode(admin, 'CQ-ZF');
	const warm = (await dash(d)).json;
	await dash(d);
	assert.ok(deptOf(warm, zf.id), 'the demo has orders held by 综合执法中队');
	let r = await admin.patch(`/api/v1/units/${zf.id}`, { name: '综合行政执法队' });
	assert.equal(r.status, 200, r.text);
	let now = (await dash(d)).json;
	assert.equal(deptOf(now, zf.id).name, '综合行政执法队');
	assert.equal(now.totals.received, warm.totals.received);

	const cat = warm.by_category[0];
	const cats = await admin.get('/api/v1/categories');
	const id = cats.json.items.find((x) => x.code === cat.code).id;
	r = await admin.patch(`/api/v1/categories/${id}`, { name: `${cat.name}（改）` });
	assert.equal(r.status, 200, r.text);
	now = (await dash(d)).json;
	assert.equal(now.by_category.find((x) => x.code === cat.code).name, `${cat.name}（改）`);
});

test('a calendar import shows at once in the working days overdue', async (t) => {
	const admin = await as('admin');
	const d = await as('dispatcher');
	const warm = (await dash(d)).json;
	await dash(d);
	const late = warm.overdue.find((x) => x.days_overdue >= 1);
	assert.ok(late, 'the demo has an order a working day or more overdue');
	// Make every working day from the day after the deadline up to today
	// (of this year) a holiday: each one less working day overdue.
	const today = warm.generated_at.slice(0, 10);
	const year = today.slice(0, 4);
	const file = path.join(ROOT, 'data', 'calendar', `cn-${year}.csv`);
	const lines = existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n') : ['date,kind,name'];
	const listed = new Set(lines.map((l) => l.slice(0, 10)));
	let added = 0;
	const day = new Date(`${late.deadline.slice(0, 10)}T00:00:00Z`);
	for (;;) {
		day.setUTCDate(day.getUTCDate() + 1);
		const ymd = day.toISOString().slice(0, 10);
		if (ymd > today) break;
		const wd = day.getUTCDay();
		if (ymd.startsWith(year) && wd >= 1 && wd <= 5 && !listed.has(ymd)) {
			lines.push(`${ymd},holiday,停工`);
			added++;
		}
	}
	if (!added) return t.skip('no working day of this year after the deadline');
	const r = await admin.post('/api/v1/calendar/import', lines.join('\n') + '\n',
		{ raw: true, headers: { 'Content-Type': 'text/csv' } });
	assert.equal(r.status, 200, r.text);
	const now = (await dash(d)).json;
	assert.equal(now.overdue.find((x) => x.id === late.id).days_overdue,
		late.days_overdue - added);
});
