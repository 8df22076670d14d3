// Data scope of work orders for every role of the Cangqian demo: who lists,
// reads and changes which orders (out of scope is 404, as if it did not
// exist), requesters' phones masked everywhere, and the audited reveal that
// only admin, leaders and dispatchers may make.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startServer, expectError, DB_KIND, demoLogins } from './lib.mjs';

let srv;
let units; // id -> unit (with path)
let everything; // every order as the administrator lists it

function sql(q) {
	const r = DB_KIND === 'sqlite'
		? spawnSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, q], { encoding: 'utf8' })
		: spawnSync('psql', [srv.db, '-qAtc', q], { encoding: 'utf8' });
	assert.equal(r.status, 0, `${q}: ${r.stderr}`);
	const lines = r.stdout.split('\n');
	if (lines.at(-1) === '') lines.pop();
	return lines.map((l) => l.split('|'));
}

const as = demoLogins(() => srv);

async function listAll(c, query = '') {
	const items = [];
	let cursor = null;
	for (let page = 0; page < 50; page++) {
		const r = await c.get(`/api/v1/orders?limit=200${query ? '&' + query : ''}` +
			(cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
		assert.equal(r.status, 200, r.text);
		items.push(...r.json.items);
		cursor = r.json.next_cursor;
		if (!cursor) return items;
	}
	throw new Error('the list never ends');
}

const ids = (items) => items.map((x) => x.id).sort((a, b) => a - b);

// Units in the subtree of unit id (itself included).
function subtree(id) {
	const root = units.get(id).path;
	return new Set([...units.values()].filter((u) => u.path.startsWith(root)).map((u) => u.id));
}

function createdBy(login) {
	return sql(`SELECT o.id FROM orders o JOIN users u ON u.id = o.created_by WHERE u.login = '${login}'`)
		.map((r) => Number(r[0]));
}

// What each role should list, from the administrator's view and the units.
function expected(login, role, unitId) {
	const own = new Set(createdBy(login));
	const sub = subtree(unitId);
	const inDept = (o) => o.dept && sub.has(o.dept.id);
	const inArea = (o) => o.area && sub.has(o.area.id);
	return ids(everything.filter((o) => {
		if (own.has(o.id)) return true;
		if (role === 'dept') return inDept(o);
		if (role === 'community' || role === 'grid') return inDept(o) || inArea(o);
		return false;
	}));
}

// A phone in clear anywhere in a response (11-digit mainland mobile).
const CLEAR_PHONE = /(?<![\d-])1[3-9]\d{9}(?!\d)/;
const MASKED_PHONE = /^1\d\d\*{4}\d{4}$/;

function assertMasked(r, who) {
	assert.doesNotMatch(r.text, CLEAR_PHONE, `${who}: a phone in clear`);
	const items = r.json.items || [r.json];
	for (const o of items)
		if (o.requester.phone !== null)
			assert.match(o.requester.phone, MASKED_PHONE, `${who}: order ${o.id}`);
}

before(async () => {
	srv = await startServer({ seed: true });
	const admin = await as('admin');
	units = new Map((await admin.get('/api/v1/units')).json.items.map((u) => [u.id, u]));
	everything = await listAll(admin);
	assert.equal(everything.length, Number(sql('SELECT COUNT(*) FROM orders')[0][0]));
});
after(async () => {
	if (srv) await srv.stop();
});

const SCOPED = [
	['cangyi', 'community'], // 仓溢绿苑社区
	['taiyan', 'community'], // 太炎社区
	['lianjutang', 'community'], // 连具塘村 and its 村民小组
	['chengjian', 'dept'], // 城建办
	['zhifa2', 'dept'], // 综合执法中队
	['grid1', 'grid'], // 炬华科技工作站
	['grid3', 'grid'], // 恒生科技园工作站
	['operator', 'operator'],
	['qiye', 'enterprise'],
	['jumin', 'resident'],
];

test('admin, leaders and dispatchers list every order', async () => {
	for (const login of ['admin', 'leader', 'zhuren', 'dispatcher', 'zhs']) {
		const c = await as(login);
		assert.deepEqual(ids(await listAll(c)), ids(everything), login);
	}
});

test('every other role lists exactly the orders of its scope', async () => {
	for (const [login, role] of SCOPED) {
		const c = await as(login);
		assert.equal(c.me.role, role, login);
		const got = await listAll(c);
		const want = expected(login, role, c.me.unit.id);
		assert.deepEqual(ids(got), want, `${login} (${role}, ${c.me.unit.name})`);
		assert.ok(got.length > 0, `${login} has something to see in the demo`);
		assert.ok(got.length < everything.length, `${login} does not see everything`);
		const sub = subtree(c.me.unit.id);
		if (role === 'dept')
			assert.ok(got.every((o) => o.dept && sub.has(o.dept.id)),
				`${login}: every listed order is held by ${c.me.unit.name}`);
		if (role === 'community' || role === 'grid')
			assert.ok(got.every((o) => (o.area && sub.has(o.area.id)) || (o.dept && sub.has(o.dept.id))),
				`${login}: every listed order is in ${c.me.unit.name}`);
		if (['operator', 'enterprise', 'resident'].includes(role))
			assert.deepEqual(ids(got), createdBy(login).sort((a, b) => a - b), `${login}: only their own`);
	}
	// A village sees its 村民小组' orders too.
	const ljt = await listAll(await as('lianjutang'));
	assert.ok(ljt.some((o) => o.area && o.area.name !== '连具塘村' && o.area.name.startsWith('连具塘村')),
		'the groups of 连具塘村 are in its scope');
});

test('an order out of scope is 404 to read and to change, and nothing changes', async () => {
	const admin = await as('admin');
	for (const [login, role] of SCOPED) {
		const c = await as(login);
		const mine = new Set(ids(await listAll(c)));
		// A few orders they may not see: different areas, departments, states.
		const outside = everything.filter((o) => !mine.has(o.id));
		const picks = [outside[0], outside[Math.floor(outside.length / 2)], outside[outside.length - 1]];
		for (const o of picks) {
			const where = `${login} on order ${o.id}`;
			expectError(assert, await c.get(`/api/v1/orders/${o.id}`), 404, 'not_found');
			expectError(assert, await c.get(`/api/v1/orders/${o.id}/events`), 404, 'not_found');
			const before = (await admin.get(`/api/v1/orders/${o.id}`)).json;
			const staff = !['operator', 'enterprise', 'resident'].includes(role);
			const note = await c.post(`/api/v1/orders/${o.id}/actions/note`, { text: '越权备注' });
			expectError(assert, note, 404, 'not_found');
			for (const a of ['start', 'resolve', 'rate', 'return_call']) {
				const r = await c.post(`/api/v1/orders/${o.id}/actions/${a}`,
					{ result: 'x', rating: 'satisfied', channel: 'phone' });
				expectError(assert, r, 404, 'not_found');
			}
			const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
			const up = await c.post(`/api/v1/orders/${o.id}/attachments`, png,
				{ raw: true, headers: { 'Content-Type': 'image/png' } });
			if (staff) expectError(assert, up, 404, 'not_found');
			else expectError(assert, up, 403, 'role_not_allowed');
			const after = (await admin.get(`/api/v1/orders/${o.id}`)).json;
			assert.equal(after.version, before.version, where);
			assert.equal(after.timeline.length, before.timeline.length, where);
		}
	}
});

test('filters narrow a scope and never widen it', async () => {
	const cangyi = await as('cangyi');
	const cq = [...units.values()].find((u) => u.code === 'CQ-CQSQ');
	assert.deepEqual(await listAll(cangyi, `area=${cq.id}`), [], 'another community by area filter');
	const cj = [...units.values()].find((u) => u.code === 'CQ-CJ');
	const viaDept = await listAll(cangyi, `unit=${cj.id}`);
	assert.ok(viaDept.every((o) => o.area.name === '仓溢绿苑社区'), 'the department filter stays in the area');
	const zhifa = await as('zhifa2');
	assert.deepEqual(await listAll(zhifa, `unit=${cj.id}`), [], 'another department by unit filter');
	const jumin = await as('jumin');
	assert.deepEqual(ids(await listAll(jumin, 'state=closed,submitted')),
		ids(everything.filter((o) => createdBy('jumin').includes(o.id) &&
			['closed', 'submitted'].includes(o.state))));
});

// An inbox (a unit's, an area's, a scope's or a person's own orders in some
// states, newest first) is picked from its index ranges, each unit and
// state apart: pages must come in order across them, with creation times
// out of id order and many alike, none lost or repeated.
test('inboxes page newest first across units and states, none lost or repeated', async () => {
	const dispatcher = await as('dispatcher');
	const current = await listAll(await as('admin'));
	const open = ['assigned', 'in_progress', 'returned', 'reopened', 'submitted', 'accepted'];
	const all = sql('SELECT id, created_at FROM orders ORDER BY id');
	const base = Math.min(...all.map((r) => Number(r[1]))) - 86400;
	// Five creation times for all the orders, out of id order.
	const at = new Map(all.map(([id], i) => [Number(id), base + ((i * 7) % 5) * 60]));
	sql(`UPDATE orders SET created_at = ${base} + ((id * 7) % 5) * 60`);
	sql(`UPDATE order_terms SET created_at = ${base} + ((order_id * 7) % 5) * 60`);
	for (const [id] of all) at.set(Number(id), base + ((Number(id) * 7) % 5) * 60);
	const newest = (list) => list.map((o) => o.id).sort((a, b) => (at.get(b) - at.get(a)) || (b - a));
	const pages = async (c, query, limit) => {
		const seen = [];
		let cursor = null;
		for (let page = 0; page < 500; page++) {
			const r = await c.get(`/api/v1/orders?limit=${limit}&${query}` +
				(cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
			assert.equal(r.status, 200, r.text);
			assert.ok(r.json.items.length <= limit);
			seen.push(...r.json.items.map((o) => o.id));
			cursor = r.json.next_cursor;
			if (!cursor) return seen;
		}
		throw new Error('the list never ends');
	};
	try {
		const cases = [];
		const cj = [...units.values()].find((u) => u.code === 'CQ-CJ');
		const inStates = (o, states) => states.includes(o.state);
		// A department's orders by the dispatcher, in the open states and in none.
		cases.push([dispatcher, `unit=${cj.id}&state=${open.join(',')}`,
			current.filter((o) => o.dept && subtree(cj.id).has(o.dept.id) && inStates(o, open))]);
		cases.push([dispatcher, `unit=${cj.id}`,
			current.filter((o) => o.dept && subtree(cj.id).has(o.dept.id))]);
		// An area's (a village with its groups), a state's alone.
		const ljt = [...units.values()].find((u) => u.name === '连具塘村');
		cases.push([dispatcher, `area=${ljt.id}&state=closed,${open.join(',')}`,
			current.filter((o) => o.area && subtree(ljt.id).has(o.area.id) &&
				inStates(o, ['closed', ...open]))]);
		cases.push([dispatcher, 'state=in_progress,closed',
			current.filter((o) => inStates(o, ['in_progress', 'closed']))]);
		// Scopes: a department's staff, a community's, a grid's, a person's own.
		// (qiye, an enterprise, sees its own three: the person's own drive.)
		const wide = [...open, 'feedback', 'closed'];
		for (const login of ['chengjian', 'cangyi', 'lianjutang', 'grid1', 'qiye']) {
			const c = await as(login);
			const mine = new Set(expected(login, c.me.role, c.me.unit.id));
			for (const states of [open, wide, null])
				cases.push([c, states ? `state=${states.join(',')}` : '',
					current.filter((o) => mine.has(o.id) && (!states || inStates(o, states)))]);
		}
		let paged = 0;
		for (const [c, query, want] of cases.filter((k) => k[2].length > 0)) {
			const limit = want.length > 3 ? 3 : 1;
			paged += want.length > limit ? 1 : 0;
			assert.deepEqual(await pages(c, query, limit), newest(want),
				`${c.me.login} ${query}: newest first, each once`);
		}
		assert.ok(paged >= 16, `${paged} of the lists span several pages`);
	} finally {
		sql('UPDATE orders SET created_at = CASE id ' +
			all.map(([id, t]) => `WHEN ${id} THEN ${t}`).join(' ') + ' END');
		sql('UPDATE order_terms SET created_at = (SELECT created_at FROM orders o WHERE o.id = order_id)');
	}
});

test('a community may note an order of its area but not handle another unit\'s', async () => {
	const cangyi = await as('cangyi');
	const mine = await listAll(cangyi, 'state=assigned,in_progress');
	const held = mine.find((o) => o.dept && o.dept.name !== '仓溢绿苑社区');
	assert.ok(held, 'an order in 仓溢绿苑 that a department holds');
	const before = (await cangyi.get(`/api/v1/orders/${held.id}`)).json;
	assert.ok(!before.actions.includes('resolve'));
	for (const a of ['start', 'resolve', 'return', 'request_extension']) {
		const r = await cangyi.post(`/api/v1/orders/${held.id}/actions/${a}`,
			{ result: '已处理', reason: 'function', days: 2 });
		expectError(assert, r, 403, 'out_of_scope');
	}
	const same = (await cangyi.get(`/api/v1/orders/${held.id}`)).json;
	assert.equal(same.version, before.version);
	const note = await cangyi.post(`/api/v1/orders/${held.id}/actions/note`, { text: '社区已上门了解情况' });
	assert.equal(note.status, 200, note.text);
	assert.equal(note.json.timeline.at(-1).actor.name, '倪秀英');
});

test('phones are masked for everyone in lists and details; names for those who may not see them', async () => {
	const privileged = ['admin', 'leader', 'dispatcher'];
	for (const login of [...privileged, ...SCOPED.map((s) => s[0])]) {
		const c = await as(login);
		const r = await c.get('/api/v1/orders?limit=200');
		assert.equal(r.status, 200, r.text);
		assertMasked(r, login);
		for (const o of r.json.items.slice(0, 5)) {
			const dr = await c.get(`/api/v1/orders/${o.id}`);
			assert.equal(dr.status, 200, dr.text);
			assertMasked(dr, `${login} detail ${o.id}`);
			const ev = await c.get(`/api/v1/orders/${o.id}/events`);
			assert.doesNotMatch(ev.text, CLEAR_PHONE, `${login} timeline ${o.id}`);
		}
		const named = r.json.items.filter((o) => o.requester.name);
		assert.ok(named.length > 0, login);
		for (const o of named) {
			const full = everything.find((x) => x.id === o.id).requester.name;
			assert.ok(!full.includes('*'), 'the administrator sees the name');
			if (privileged.includes(login)) assert.equal(o.requester.name, full, login);
			else {
				assert.notEqual(o.requester.name, full, `${login}: ${full} masked`);
				assert.equal(o.requester.name, [...full][0] + '*'.repeat([...full].length - 1));
			}
		}
	}
	// The clear phone is stored nowhere: not in the database file nor its log.
	const d = await as('dispatcher');
	const r = await d.post('/api/v1/orders', {
		title: '井盖缺失', description: '路口井盖缺失。', category: 'road_damage', channel: 'phone',
		requester: { name: '孙先生', phone: '13957105555' },
	});
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.requester.phone, '139****5555');
	if (DB_KIND === 'sqlite') {
		for (const f of [srv.db, `${srv.db}-wal`]) {
			if (!existsSync(f)) continue;
			assert.ok(!readFileSync(f).includes('13957105555'), `${f} holds the phone in clear`);
		}
	}
});

function revealCount() {
	return Number(sql("SELECT COUNT(*) FROM audit_log WHERE action = 'reveal'")[0][0]);
}

async function auditVerified() {
	const v = await srv.sanfu('audit', 'verify');
	assert.equal(v.code, 0, v.stdout + v.stderr);
	const m = /audit: ok, (\d+) audit entries verified/.exec(v.stdout);
	assert.ok(m, v.stdout);
	return Number(m[1]);
}

test('only admin, leader and dispatcher reveal a phone, each reveal is audited with its reason', async () => {
	const withPhone = everything.find((o) => o.requester.phone && o.state === 'closed');
	const noPhone = everything.find((o) => o.requester.phone === null);
	assert.ok(withPhone && noPhone);
	const count0 = revealCount();
	const verified0 = await auditVerified();
	let done = 0;
	for (const login of ['admin', 'leader', 'dispatcher']) {
		const c = await as(login);
		const r = await c.post(`/api/v1/orders/${withPhone.id}/reveal`, { reason: `${login} 回访需要联系诉求人` });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.id, withPhone.id);
		assert.match(r.json.phone, /^1[3-9]\d{9}$/);
		assert.equal(`${r.json.phone.slice(0, 3)}****${r.json.phone.slice(7)}`, withPhone.requester.phone);
		done++;
		assert.equal(revealCount(), count0 + done, `${login}'s reveal is in the audit log`);
	}
	const last = sql("SELECT a.reason, a.target, u.login FROM audit_log a JOIN users u ON u.id = a.user_id " +
		"WHERE a.action = 'reveal' ORDER BY a.id DESC LIMIT 1")[0];
	assert.deepEqual(last, ['dispatcher 回访需要联系诉求人', `order:${withPhone.id}`, 'dispatcher']);
	const none = await (await as('leader')).post(`/api/v1/orders/${noPhone.id}/reveal`, { reason: '核实' });
	assert.equal(none.status, 200, none.text);
	assert.equal(none.json.phone, null);
	done++;

	// Everyone else: 403, and nothing is written.
	for (const [login] of SCOPED) {
		const c = await as(login);
		const mine = (await listAll(c)).find((o) => o.requester.phone);
		const target = mine || withPhone;
		const r = await c.post(`/api/v1/orders/${target.id}/reveal`, { reason: '想知道' });
		expectError(assert, r, 403, 'role_not_allowed');
		assert.doesNotMatch(r.text, CLEAR_PHONE);
	}
	// A reveal needs a reason, and an order that exists.
	const d = await as('dispatcher');
	expectError(assert, await d.post(`/api/v1/orders/${withPhone.id}/reveal`, {}), 400, 'missing_field', 'reason');
	expectError(assert, await d.post(`/api/v1/orders/${withPhone.id}/reveal`, { reason: '  ' }), 400,
		'missing_field', 'reason');
	expectError(assert, await d.post(`/api/v1/orders/${withPhone.id}/reveal`, { reason: '理'.repeat(201) }), 400,
		'too_long', 'reason');
	expectError(assert, await d.post(`/api/v1/orders/${withPhone.id}/reveal`, { reason: 'x', why: 'y' }), 400,
		'unknown_field', 'why');
	expectError(assert, await d.post('/api/v1/orders/999999/reveal', { reason: '核实' }), 404, 'not_found');
	assert.equal(revealCount(), count0 + done, 'refused reveals leave no audit entry');
	assert.equal(await auditVerified(), verified0 + done, 'the audit chain holds every reveal');
});
