// What the console's screens needed from the API, on the Cangqian demo:
// grid and building-station workers (网格员, 楼宇工作站) see the registers,
// visits, hazards and coverage of their grid; hazards carry the working
// days left; orders are listed by enterprise and know the visit and hazard
// they were raised on; village groups are read one by one and paged; a
// dispatcher reads the staff list; coverage rows name their unit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, expectError, DB_KIND, demoLogins } from './lib.mjs';

let srv;
const unitIds = new Map();
const GRIDS = { grid1: 'CQ-WG1-JH', grid2: 'CQ-WG2-LED', grid3: 'CQ-WG3-HS' };

function sql(q) {
	const r = DB_KIND === 'sqlite'
		? spawnSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, q], { encoding: 'utf8' })
		: spawnSync('psql', [srv.db, '-qAtc', q], { encoding: 'utf8' });
	assert.equal(r.status, 0, `${q}: ${r.stderr}`);
	const lines = r.stdout.split('\n');
	if (lines.at(-1) === '') lines.pop();
	return lines.map((l) => l.split('|'));
}
const ids = (q) => sql(q).map((r) => Number(r[0]));

const as = demoLogins(() => srv);

// Every page of a list that pages with `before` (registers, visits, hazards).
async function all(c, path) {
	const out = [];
	let before = null;
	for (let i = 0; i < 100; i++) {
		const sep = path.includes('?') ? '&' : '?';
		const r = await c.get(`${path}${sep}limit=200${before ? `&before=${before}` : ''}`);
		assert.equal(r.status, 200, `${path}: ${r.text}`);
		out.push(...r.json.items);
		if (!r.json.next) return out;
		before = r.json.next;
	}
	throw new Error(`${path}: too many pages`);
}

before(async () => {
	srv = await startServer({ seed: true });
	for (const [id, code] of sql('SELECT id, code FROM units')) unitIds.set(code, Number(id));
});
after(async () => {
	if (srv) await srv.stop();
});

const gridEnterprises = (code) => ids(`SELECT id FROM enterprises WHERE grid_unit_id = ${unitIds.get(code)} AND archived_at IS NULL ORDER BY id`);

test('grid workers see the enterprises of their own grid, and not another grid\'s (404)', async () => {
	for (const [login, code] of Object.entries(GRIDS)) {
		const c = await as(login);
		const want = gridEnterprises(code);
		assert.ok(want.length > 10, `${code} has enterprises in the demo`);
		const list = await all(c, '/api/v1/enterprises');
		assert.deepEqual(list.map((e) => e.id).sort((a, b) => a - b), want, `${login}: their grid's enterprises`);
		assert.ok(list.every((e) => e.grid && e.grid.id === unitIds.get(code)), login);
		const counted = await c.get('/api/v1/enterprises?count=1&limit=1');
		assert.equal(counted.json.total, want.length, `${login}: count`);
		const mine = await c.get(`/api/v1/enterprises/${want[0]}`);
		assert.equal(mine.status, 200, mine.text);
		for (const [other, oc] of Object.entries(GRIDS)) {
			if (other === login) continue;
			const theirs = gridEnterprises(oc)[0];
			expectError(assert, await c.get(`/api/v1/enterprises/${theirs}`), 404, 'not_found');
			expectError(assert, await c.get(`/api/v1/enterprises/${theirs}/pairings`), 404, 'not_found');
		}
	}
	// community staff keep seeing their area, grids or not: 仓前社区 has
	// enterprises of every grid, 太炎社区's are not theirs
	const cangqian = await as('cangqian');
	const area = await all(cangqian, '/api/v1/enterprises');
	const want = ids(`SELECT id FROM enterprises WHERE unit_id = ${unitIds.get('CQ-CQSQ')} AND archived_at IS NULL ORDER BY id`);
	assert.deepEqual(area.map((e) => e.id).sort((a, b) => a - b), want);
	const grids = new Set(area.map((e) => e.grid && e.grid.id));
	assert.ok(grids.size >= 2, 'the community sees enterprises of several grids');
	const taiyan = ids(`SELECT id FROM enterprises WHERE unit_id = ${unitIds.get('CQ-TYSQ')} LIMIT 1`)[0];
	expectError(assert, await cangqian.get(`/api/v1/enterprises/${taiyan}`), 404, 'not_found');
});

test('grid workers see the visits and hazards of their grid\'s enterprises; others\' are 404', async () => {
	const visitsOf = (code) => ids(`SELECT v.id FROM visits v JOIN enterprises e ON e.id = v.target_id WHERE v.target_kind = 'enterprise' AND e.grid_unit_id = ${unitIds.get(code)} ORDER BY v.id`);
	const hazardsOf = (code) => ids(`SELECT h.id FROM hazards h JOIN enterprises e ON e.id = h.target_id WHERE h.target_kind = 'enterprise' AND e.grid_unit_id = ${unitIds.get(code)} ORDER BY h.id`);
	for (const [login, code] of Object.entries(GRIDS)) {
		const c = await as(login);
		const me = (await c.get('/api/v1/me')).json.id;
		const want = visitsOf(code);
		assert.ok(want.length > 0, `${code}: visits in the demo`);
		const list = await all(c, '/api/v1/visits');
		// theirs: the visits to their grid's enterprises, and those they made themselves
		const own = ids(`SELECT id FROM visits WHERE visitor_user_id = ${me}`);
		const expected = [...new Set([...want, ...own])].sort((a, b) => a - b);
		assert.deepEqual(list.map((v) => v.id).sort((a, b) => a - b), expected, `${login}: visits`);
		assert.equal((await c.get(`/api/v1/visits/${want[0]}`)).status, 200);
		const hz = hazardsOf(code);
		const hzList = await all(c, '/api/v1/hazards');
		const ownHz = ids(`SELECT id FROM hazards WHERE found_by = ${me}`);
		assert.deepEqual(hzList.map((h) => h.id).sort((a, b) => a - b),
			[...new Set([...hz, ...ownHz])].sort((a, b) => a - b), `${login}: hazards`);
		if (hz.length) assert.equal((await c.get(`/api/v1/hazards/${hz[0]}`)).status, 200);
		for (const [other, oc] of Object.entries(GRIDS)) {
			if (other === login) continue;
			const theirs = visitsOf(oc).find((id) => !own.includes(id));
			expectError(assert, await c.get(`/api/v1/visits/${theirs}`), 404, 'not_found');
			const theirHz = hazardsOf(oc).find((id) => !ownHz.includes(id));
			if (theirHz) expectError(assert, await c.get(`/api/v1/hazards/${theirHz}`), 404, 'not_found');
		}
		// the headline counts are their grid's too
		const stats = await c.get('/api/v1/visits/stats');
		assert.equal(stats.status, 200, stats.text);
		const distinct = ids(`SELECT COUNT(DISTINCT v.target_id) FROM visits v JOIN enterprises e ON e.id = v.target_id WHERE v.target_kind = 'enterprise' AND e.grid_unit_id = ${unitIds.get(code)}`)[0];
		assert.equal(stats.json.enterprises_visited, distinct, `${login}: enterprises visited`);
	}
});

test('a grid worker records a visit to an enterprise of their grid, not of another grid', async () => {
	const grid1 = await as('grid1');
	const mine = gridEnterprises('CQ-WG1-JH')[1];
	const r = await grid1.post('/api/v1/visits', { target_kind: 'enterprise', target_id: mine, method: 'enterprise',
		notes: '楼宇专员走访' });
	assert.equal(r.status, 201, r.text);
	const theirs = gridEnterprises('CQ-WG2-LED')[1];
	const out = await grid1.post('/api/v1/visits', { target_kind: 'enterprise', target_id: theirs, method: 'enterprise' });
	expectError(assert, out, 403, 'out_of_scope', 'target_id');
	expectError(assert, await (await as('grid2')).get(`/api/v1/visits/${r.json.id}`), 404, 'not_found');
});

test('households at a place of a grid are in that grid\'s scope', async () => {
	const admin = await as('admin');
	const place = await admin.post('/api/v1/places', { kind: 'building', name: '鲸网格楼宇', unit_id: unitIds.get('CQ-CQSQ'),
		grid_unit_id: unitIds.get('CQ-WG1-JH') });
	assert.equal(place.status, 201, place.text);
	const hh = await admin.post('/api/v1/households', { address: '鲸网格楼宇1幢101室', unit_id: unitIds.get('CQ-CQSQ'),
		place_id: place.json.id, head_name: '鲸网格' });
	assert.equal(hh.status, 201, hh.text);
	const grid1 = await as('grid1');
	assert.equal((await grid1.get(`/api/v1/households/${hh.json.id}`)).status, 200);
	const list = await grid1.get('/api/v1/households?limit=200');
	assert.deepEqual(list.json.items.map((h) => h.id), [hh.json.id]);
	expectError(assert, await (await as('grid2')).get(`/api/v1/households/${hh.json.id}`), 404, 'not_found');
	const v = await grid1.post('/api/v1/visits', { target_kind: 'household', target_id: hh.json.id, method: 'home' });
	assert.equal(v.status, 201, v.text);
});

test('campaign coverage: a grid worker sees their grid\'s targets; each row\'s unit is {id, name}', async () => {
	const cid = ids("SELECT id FROM campaigns WHERE target_kind = 'enterprise' ORDER BY id LIMIT 1")[0];
	const grid1 = await as('grid1');
	const want = gridEnterprises('CQ-WG1-JH').filter((id) => ids(`SELECT target_id FROM campaign_targets WHERE campaign_id = ${cid} AND target_id = ${id}`).length);
	assert.ok(want.length > 0);
	const cov = await grid1.get(`/api/v1/campaigns/${cid}/coverage?limit=200`);
	assert.equal(cov.status, 200, cov.text);
	assert.equal(cov.json.targets, want.length);
	assert.deepEqual(cov.json.items.map((x) => x.target_id), want);
	const camp = await grid1.get(`/api/v1/campaigns/${cid}`);
	assert.equal(camp.json.in_scope.targets, want.length);
	const row = cov.json.items[0];
	const unit = sql(`SELECT u.id, u.name_zh FROM enterprises e JOIN units u ON u.id = e.unit_id WHERE e.id = ${row.target_id}`)[0];
	assert.deepEqual(row.unit, { id: Number(unit[0]), name: unit[1] });
	const leader = await as('leader');
	const full = await leader.get(`/api/v1/campaigns/${cid}/coverage?limit=200`);
	assert.ok(full.json.items.every((x) => x.unit === null || (Number.isInteger(x.unit.id) && typeof x.unit.name === 'string')));
});

test('hazards carry the working days left to their deadline, as orders do', async () => {
	const cangyi = await as('cangyi');
	const hh = ids(`SELECT id FROM households WHERE unit_id = ${unitIds.get('CQ-CYLY')} AND archived_at IS NULL LIMIT 1`)[0];
	const r = await cangyi.post('/api/v1/visits', { target_kind: 'household', target_id: hh, method: 'home',
		hazards: [{ type: 'fire', severity: 'general', description: '楼道堆放杂物', days: 5 }] });
	assert.equal(r.status, 201, r.text);
	const hz = r.json.hazard_list[0];
	const dl = await cangyi.get(`/api/v1/calendar/deadline?days=5&start=${encodeURIComponent(r.json.visited_at)}`);
	assert.equal(hz.deadline, dl.json.deadline);
	assert.equal(hz.workdays_left, dl.json.workdays_left, 'in the visit\'s hazard list');
	assert.ok(hz.workdays_left >= 4 && hz.workdays_left <= 5, `${hz.workdays_left}`);
	const one = await cangyi.get(`/api/v1/hazards/${hz.id}`);
	assert.equal(one.json.workdays_left, dl.json.workdays_left);
	const list = await all(await as('leader'), '/api/v1/hazards');
	assert.ok(list.length > 10);
	for (const h of list) assert.ok(Number.isInteger(h.workdays_left), `hazard ${h.id}: ${h.workdays_left}`);
	const overdue = list.filter((h) => h.overdue);
	assert.ok(overdue.length > 0, 'overdue hazards in the demo');
	for (const h of overdue) assert.ok(h.workdays_left <= 0, `overdue hazard ${h.id}: ${h.workdays_left}`);
	const fresh = list.find((h) => h.id === hz.id);
	assert.equal(fresh.workdays_left, dl.json.workdays_left);
});

test('GET /orders?enterprise= lists the orders about one enterprise, within the caller\'s scope', async () => {
	const [ent] = sql('SELECT enterprise_id, COUNT(*) FROM orders WHERE enterprise_id IS NOT NULL GROUP BY enterprise_id ORDER BY COUNT(*) DESC, enterprise_id LIMIT 1').map((x) => Number(x[0]));
	const want = ids(`SELECT id FROM orders WHERE enterprise_id = ${ent} ORDER BY id`);
	assert.ok(want.length >= 1);
	const d = await as('dispatcher');
	const r = await d.get(`/api/v1/orders?enterprise=${ent}&limit=200`);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.items.map((o) => o.id).sort((a, b) => a - b), want);
	// with the other filters
	const open = await d.get(`/api/v1/orders?enterprise=${ent}&state=resolved,feedback,closed&limit=200`);
	const done = ids(`SELECT id FROM orders WHERE enterprise_id = ${ent} AND state IN ('resolved', 'feedback', 'closed') ORDER BY id`);
	assert.deepEqual(open.json.items.map((o) => o.id).sort((a, b) => a - b), done);
	// a department sees only those of its scope
	const dept = await as('chengjian');
	const inScope = new Set((await dept.get('/api/v1/orders?limit=200')).json.items.map((o) => o.id));
	const theirs = await dept.get(`/api/v1/orders?enterprise=${ent}&limit=200`);
	assert.equal(theirs.status, 200);
	assert.ok(theirs.json.items.every((o) => inScope.has(o.id) && want.includes(o.id)));
	assert.deepEqual((await d.get('/api/v1/orders?enterprise=999999')).json.items, []);
	expectError(assert, await d.get('/api/v1/orders?enterprise=abc'), 400, 'invalid_field', 'enterprise');
});

test('an order raised on a visit tells its visit_id and hazard_id', async () => {
	const cangyi = await as('cangyi');
	const hh = ids(`SELECT id FROM households WHERE unit_id = ${unitIds.get('CQ-CYLY')} AND archived_at IS NULL ORDER BY id DESC LIMIT 1`)[0];
	const r = await cangyi.post('/api/v1/visits', { target_kind: 'household', target_id: hh, method: 'night',
		hazards: [{ type: 'electrical', severity: 'major', description: '私拉电线', days: 3 }],
		problems: [{ title: '楼道路灯不亮', description: '三楼路灯坏了', category: 'street_light' },
			{ title: '私拉电线', description: '督促整改', category: 'fire_hazard', hazard: 0 }] });
	assert.equal(r.status, 201, r.text);
	const [plain, about] = r.json.order_list;
	const d = await as('dispatcher');
	const o1 = await d.get(`/api/v1/orders/${plain.id}`);
	assert.equal(o1.json.visit_id, r.json.id);
	assert.equal(o1.json.hazard_id, null);
	const o2 = await d.get(`/api/v1/orders/${about.id}`);
	assert.equal(o2.json.visit_id, r.json.id);
	assert.equal(o2.json.hazard_id, r.json.hazard_list[0].id);
	const other = ids("SELECT id FROM orders WHERE channel <> 'visit' ORDER BY id LIMIT 1")[0];
	const o3 = await d.get(`/api/v1/orders/${other}`);
	assert.equal(o3.json.visit_id, null);
	assert.equal(o3.json.hazard_id, null);
});

test('village groups: one by id, paged with after, filtered by village', async () => {
	const c = await as('cangyi');
	const first = await c.get('/api/v1/village-groups?limit=10');
	assert.equal(first.status, 200, first.text);
	assert.equal(first.json.items.length, 10);
	const total = first.json.total;
	assert.ok(total >= 200, `${total}`);
	assert.equal(first.json.next, first.json.items[9].id);
	const seen = new Set();
	let after = null;
	let pages = 0;
	for (;;) {
		const r = await c.get(`/api/v1/village-groups?limit=60${after ? `&after=${after}` : ''}`);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.total, total);
		for (const g of r.json.items) {
			assert.ok(!seen.has(g.id), `group ${g.id} twice`);
			if (after) assert.ok(g.id > after);
			seen.add(g.id);
		}
		pages++;
		if (!r.json.next) break;
		after = r.json.next;
	}
	assert.equal(seen.size, total);
	assert.equal(pages, Math.ceil(total / 60) + (total % 60 === 0 ? 1 : 0));
	const village = unitIds.get('CQ-LJTC');
	const lj = await c.get(`/api/v1/village-groups?village=${village}`);
	assert.equal(lj.json.total, ids(`SELECT COUNT(*) FROM units WHERE kind = 'village_group' AND parent_id = ${village}`)[0]);
	assert.ok(lj.json.items.length === lj.json.total && lj.json.items.every((g) => g.village.id === village));
	expectError(assert, await c.get(`/api/v1/village-groups?village=${unitIds.get('CQ-CQSQ')}`), 400, 'invalid_reference', 'village');
	expectError(assert, await c.get('/api/v1/village-groups?after=x'), 400, 'invalid_field', 'after');
	const g = lj.json.items[3];
	const one = await c.get(`/api/v1/village-groups/${g.id}`);
	assert.equal(one.status, 200, one.text);
	assert.deepEqual(one.json, g);
	expectError(assert, await c.get(`/api/v1/village-groups/${village}`), 404, 'not_found');
	expectError(assert, await c.get('/api/v1/village-groups/999999'), 404, 'not_found');
});

test('dispatchers read the staff list (to pick campaign members) as leaders do', async () => {
	const d = await as('dispatcher');
	const r = await d.get('/api/v1/users?limit=200');
	assert.equal(r.status, 200, r.text);
	assert.ok(r.json.items.some((u) => u.role === 'grid'));
	const l = await (await as('leader')).get('/api/v1/users?limit=200');
	assert.deepEqual(Object.keys(r.json.items[0]).sort(), Object.keys(l.json.items[0]).sort());
	assert.deepEqual(r.json.items.map((u) => u.id), l.json.items.map((u) => u.id));
	expectError(assert, await (await as('chengjian')).get('/api/v1/users'), 403, 'role_not_allowed');
	expectError(assert, await d.post('/api/v1/users', { login: 'x1', name: 'x', role: 'grid', password: 'Passw0rd-x1' }), 403, 'role_not_allowed');
	const members = r.json.items.filter((u) => u.role === 'grid').map((u) => u.id);
	const camp = await d.post('/api/v1/campaigns', { name: '楼宇走访', theme: '三服务·入企', target_kind: 'enterprise',
		starts_on: '2026-01-01', ends_on: '2026-12-31', member_ids: members });
	assert.equal(camp.status, 201, camp.text);
	assert.deepEqual(camp.json.member_list.map((m) => m.user_id).sort((a, b) => a - b), [...members].sort((a, b) => a - b));
});
