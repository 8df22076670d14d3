// Visits (走访) through HTTP on the Cangqian demo: a visit with several
// work lines' checklists at once (多线融合), a hazard with a deadline in
// working days tracked to a verified fix, problems that become work orders
// in the same request linked both ways, campaigns and their coverage, the
// headline counts, the leader's page after a visit, and the scope of each
// role (a community sees its own community's visits and hazards only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { expectError } from './lib.mjs';
import { demo } from './regs_lib.mjs';

const regs = demo();
const { sql, as, unitIds, userIds } = regs;
let srv;
let household; // a household of 仓溢绿苑
let household2; // one of 仓前社区
let enterprise; // paired with leader09

before(async () => {
	srv = await regs.start();
	let r = await (await as('cangyi')).post('/api/v1/households', {
		address: '仓溢绿苑鲸1幢1单元101室', unit_id: unitIds.get('CQ-CYLY'), head_name: '王鲸' });
	assert.equal(r.status, 201, r.text);
	household = r.json.id;
	r = await (await as('cangqian')).post('/api/v1/households', {
		address: '仓兴苑鲸2幢1单元101室', unit_id: unitIds.get('CQ-CQSQ'), head_name: '陈鲸' });
	assert.equal(r.status, 201, r.text);
	household2 = r.json.id;
	r = await (await as('admin')).post('/api/v1/enterprises', {
		credit_code: '91330100716105852F', name: '杭州鲸测光电科技有限公司',
		unit_id: unitIds.get('CQ-CQSQ'), contact_name: '邵鲸', contact_phone: '13800001111',
		leader_user_id: userIds.get('leader09'), liaison_user_id: userIds.get('jingfa2') });
	assert.equal(r.status, 201, r.text);
	enterprise = r.json.id;
});
after(() => regs.stop());

const count = (table) => Number(sql(`SELECT COUNT(*) FROM ${table}`)[0][0]);

test('the built-in checklist templates cover the work lines', async () => {
	const r = await (await as('cangyi')).get('/api/v1/checklists');
	assert.equal(r.status, 200, r.text);
	const codes = r.json.items.map((t) => t.code);
	for (const c of ['household_survey', 'fire_highrise', 'party_building', 'talent_survey', 'project_matching'])
		assert.ok(codes.includes(c), c);
	const t = await (await as('admin')).post('/api/v1/checklists', {
		code: 'garbage_sorting', name: '垃圾分类', line: 'environment', target_kinds: ['household'],
		items: [{ key: 'sorted', label: '分类投放', type: 'bool' },
			{ key: 'bins', label: '桶数', type: 'number' }] });
	assert.equal(t.status, 200, t.text);
	const bad = await (await as('admin')).post('/api/v1/checklists', {
		code: 'x', name: 'x', line: 'x', items: [{ key: 'a', label: 'A', type: 'choice' }] });
	expectError(assert, bad, 400, 'missing_field', 'items');
	expectError(assert, await (await as('leader')).post('/api/v1/checklists', {
		code: 'y', name: 'y', line: 'y', items: [] }), 403, 'role_not_allowed');
});

test('a visit covers several lines at once, records a hazard and raises problems as linked orders', async () => {
	const cangyi = await as('cangyi');
	const visitsBefore = count('visits');
	const r = await cangyi.post('/api/v1/visits', {
		target_kind: 'household', target_id: household, method: 'night',
		companions: '组团联村干部', notes: '夜访，了解需求',
		checks: [
			{ template: 'household_survey', answers: { members_home: 3, need: '子女就学', satisfaction: '满意' } },
			{ template: 'garbage_sorting', answers: { sorted: true, bins: 2 } },
		],
		hazards: [{ type: 'electrical', severity: 'general', description: '楼道私拉电线充电', days: 5 }],
		problems: [
			{ title: '孩子明年入学咨询', description: '二孩明年上小学，咨询学区划分', category: 'schooling' },
			{ title: '楼道私拉电线', description: '需督促整改', category: 'fire_hazard', hazard: 0 },
		],
	});
	assert.equal(r.status, 201, r.text);
	assert.equal(count('visits'), visitsBefore + 1);
	assert.equal(r.json.checks.length, 2, 'two work lines in one visit');
	const survey = r.json.checks.find((k) => k.template === 'household_survey');
	assert.equal(survey.answers.need, '子女就学');
	assert.equal(r.json.hazard_list.length, 1);
	assert.equal(r.json.order_list.length, 2);
	const hazard = r.json.hazard_list[0];
	assert.equal(hazard.state, 'open');
	assert.equal(hazard.days, 5);
	// the deadline is the 5th working day after the visit, per the calendar
	const dl = await cangyi.get(`/api/v1/calendar/deadline?days=5&start=${encodeURIComponent(r.json.visited_at)}`);
	assert.equal(dl.status, 200, dl.text);
	assert.equal(hazard.deadline, dl.json.deadline);
	assert.equal(hazard.order_id, r.json.order_list[1].id, 'the hazard knows its order');
	// the orders know their visit, both through the link and as a visit-channel order
	for (const o of r.json.order_list) {
		const back = await cangyi.get(`/api/v1/visits?order_id=${o.id}`);
		assert.deepEqual(back.json.items.map((v) => v.id), [r.json.id]);
		const order = await (await as('dispatcher')).get(`/api/v1/orders/${o.id}`);
		assert.equal(order.status, 200, order.text);
		assert.equal(order.json.channel, 'visit');
	}
	assert.equal(sql(`SELECT attrs FROM orders WHERE id = ${r.json.order_list[1].id}`)[0][0],
		`{"visit_id":${r.json.id},"hazard_id":${hazard.id}}`);
	const hh = await cangyi.get(`/api/v1/households/${household}`);
	assert.equal(hh.json.last_visit_at, r.json.visited_at);
});

test('bad input names the field and writes nothing (no visit, no order)', async () => {
	const cangyi = await as('cangyi');
	const visits = count('visits');
	const orders = count('orders');
	const base = { target_kind: 'household', target_id: household, method: 'night' };
	const cases = [
		[{ ...base, method: 'walk' }, 'invalid_field', 'method'],
		[{ ...base, target_kind: 'castle' }, 'invalid_field', 'target_kind'],
		[{ ...base, checks: [{ template: 'nope' }] }, 'unknown_reference', 'checks[0].template'],
		[{ ...base, checks: [{ template: 'household_survey', answers: { members_home: 'three' } }] },
			'invalid_field', 'checks'],
		[{ ...base, checks: [{ template: 'household_survey', answers: { colour: 'red' } }] },
			'unknown_field', 'checks'],
		[{ ...base, hazards: [{ type: 'fire', severity: 'huge', description: 'x' }] },
			'invalid_field', 'hazards[0].severity'],
		[{ ...base, hazards: [{ type: 'fire', severity: 'major', description: 'x', days: 400 }] },
			'out_of_range', 'hazards[0].days'],
		[{ ...base, problems: [{ title: 't', description: 'd', category: 'no_such' }] },
			'unknown_reference', 'problems[0].category'],
		[{ ...base, problems: [{ title: 't', description: 'd', category: 'schooling', hazard: 3 }] },
			'out_of_range', 'problems[0].hazard'],
		[{ ...base, visited_at: '2999-01-01T00:00:00+08:00' }, 'out_of_range', 'visited_at'],
	];
	for (const [body, code, field] of cases) {
		const r = await cangyi.post('/api/v1/visits', body);
		expectError(assert, r, 400, code, field);
	}
	const missing = await cangyi.post('/api/v1/visits', { ...base, target_id: 999999 });
	expectError(assert, missing, 404, 'not_found', 'target_id');
	assert.equal(count('visits'), visits);
	assert.equal(count('orders'), orders);
});

test('scope: a community records and sees only its own; leaders see all; 404 outside', async () => {
	const cangyi = await as('cangyi');
	const cangqian = await as('cangqian');
	const out = await cangyi.post('/api/v1/visits', {
		target_kind: 'household', target_id: household2, method: 'home' });
	expectError(assert, out, 403, 'out_of_scope', 'target_id');
	const theirs = await cangqian.post('/api/v1/visits', {
		target_kind: 'household', target_id: household2, method: 'home',
		hazards: [{ type: 'gas', severity: 'major', description: '燃气软管老化' }] });
	assert.equal(theirs.status, 201, theirs.text);
	const mineList = await cangyi.get('/api/v1/visits?limit=200');
	assert.ok(!mineList.json.items.some((v) => v.id === theirs.json.id));
	expectError(assert, await cangyi.get(`/api/v1/visits/${theirs.json.id}`), 404, 'not_found');
	const hz = theirs.json.hazard_list[0].id;
	expectError(assert, await cangyi.get(`/api/v1/hazards/${hz}`), 404, 'not_found');
	const hzList = await cangyi.get('/api/v1/hazards?limit=200');
	assert.ok(!hzList.json.items.some((h) => h.id === hz));
	assert.ok(hzList.json.items.every((h) => h.unit.id === unitIds.get('CQ-CYLY')), hzList.text);
	const leader = await as('leader');
	assert.equal((await leader.get(`/api/v1/visits/${theirs.json.id}`)).status, 200);
	assert.equal((await leader.get(`/api/v1/hazards/${hz}`)).status, 200);
	// a liaison sees visits to their enterprise, not others
	const l9 = await as('leader09');
	const ev = await l9.post('/api/v1/visits', {
		target_kind: 'enterprise', target_id: enterprise, method: 'enterprise',
		checks: [{ template: 'fire_highrise', answers: { exits_clear: true } },
			{ template: 'party_building', answers: { party_members: 12 } },
			{ template: 'talent_survey', answers: { high_level: 3 } },
			{ template: 'project_matching', answers: { space_need: true } }],
		problems: [{ title: '设备因电力不稳受损', description: '五一期间多次跳闸', category: 'power_supply' }] });
	assert.equal(ev.status, 201, ev.text);
	assert.equal(ev.json.checks.length, 4);
	const liaison = await as('jingfa2');
	assert.equal((await liaison.get(`/api/v1/visits/${ev.json.id}`)).status, 200);
	expectError(assert, await liaison.get(`/api/v1/visits/${theirs.json.id}`), 404, 'not_found');
	const other = await as('laobao2');
	expectError(assert, await other.get(`/api/v1/visits/${ev.json.id}`), 404, 'not_found');
	// the leader's page shows the visit and the open order
	const page = await l9.get('/api/v1/pairing/mine');
	const row = page.json.enterprises.find((e) => e.id === enterprise);
	assert.equal(row.last_visit_at, ev.json.visited_at);
	assert.equal(row.visited_this_quarter, true);
	assert.equal(row.open_orders, 1);
	assert.ok(page.json.open_orders.some((o) => o.id === ev.json.order_list[0].id));
	// stats are scoped too
	const s1 = await cangyi.get('/api/v1/visits/stats');
	const s2 = await leader.get('/api/v1/visits/stats');
	assert.ok(s2.json.visits > s1.json.visits);
	assert.ok(s2.json.enterprises_visited >= 1);
	assert.ok(s1.json.enterprises_visited === 0 || s1.json.enterprises_visited < s2.json.enterprises_visited);
	expectError(assert, await cangyi.get(`/api/v1/visits/stats?unit_id=${unitIds.get('CQ-CQSQ')}`),
		403, 'out_of_scope', 'unit_id');
});

test('a hazard is rectified by the area and verified by someone else; illegal steps are 409', async () => {
	const cangyi = await as('cangyi');
	const r = await cangyi.post('/api/v1/visits', {
		target_kind: 'household', target_id: household, method: 'home',
		hazards: [{ type: 'fire', severity: 'major', description: '楼道堆放杂物堵塞通道' }] });
	assert.equal(r.status, 201, r.text);
	const id = r.json.hazard_list[0].id;
	assert.equal(r.json.hazard_list[0].days, 3, 'a major hazard gets 3 working days');
	const pingan = await as('pingan');
	expectError(assert, await pingan.post(`/api/v1/hazards/${id}/verify`, { ok: true }), 404, 'not_found');
	const leader = await as('leader');
	expectError(assert, await leader.post(`/api/v1/hazards/${id}/verify`, { ok: true }), 409,
		'illegal_transition');
	const fix = await cangyi.post(`/api/v1/hazards/${id}/rectify`, { note: '杂物已清理' });
	assert.equal(fix.status, 200, fix.text);
	assert.equal(fix.json.state, 'rectified');
	expectError(assert, await cangyi.post(`/api/v1/hazards/${id}/rectify`, { note: 'again' }), 409,
		'illegal_transition');
	expectError(assert, await cangyi.post(`/api/v1/hazards/${id}/verify`, { ok: true }), 403,
		'role_not_allowed');
	const reject = await leader.post(`/api/v1/hazards/${id}/verify`, { ok: false });
	expectError(assert, reject, 400, 'missing_field', 'note');
	const back = await leader.post(`/api/v1/hazards/${id}/verify`, { ok: false, note: '未清理干净' });
	assert.equal(back.json.state, 'open');
	await cangyi.post(`/api/v1/hazards/${id}/rectify`, { note: '已彻底清理' });
	const ok = await leader.post(`/api/v1/hazards/${id}/verify`, { ok: true, note: '复查合格' });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.state, 'verified');
	assert.equal(ok.json.verified_by.id, userIds.get('leader'));
	// a photo: pictures only
	const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(64, 1)]);
	const up = await cangyi.post(`/api/v1/hazards/${id}/photo`, png,
		{ raw: true, headers: { 'Content-Type': 'image/png' } });
	assert.equal(up.status, 200, up.text);
	assert.equal(up.json.has_photo, true);
	const notPic = await cangyi.post(`/api/v1/hazards/${id}/photo`, 'hello',
		{ raw: true, headers: { 'Content-Type': 'image/png' } });
	expectError(assert, notPic, 415, 'unsupported_media_type');
	const got = await cangyi.get(`/api/v1/hazards/${id}/photo`);
	assert.equal(got.status, 200);
	assert.equal(got.headers.get('content-type'), 'image/png');
	const open = await leader.get('/api/v1/hazards?state=open&limit=200');
	assert.ok(!open.json.items.some((h) => h.id === id));
});

test('campaigns: targets of a unit, members, and coverage of who was visited and who not yet', async () => {
	const leader = await as('leader');
	const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
	const r = await leader.post('/api/v1/campaigns', {
		name: '鲸测组级整治', theme: '组级整治', target_kind: 'household',
		starts_on: '2026-01-01', ends_on: today > '2026-12-31' ? today : '2026-12-31',
		templates: ['household_survey'], target_unit_id: unitIds.get('CQ-CYLY'),
		member_ids: [userIds.get('cangyi')], team: '组团联村一队' });
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	assert.ok(r.json.targets >= 1);
	assert.equal(r.json.member_list[0].team, '组团联村一队');
	const cov0 = await leader.get(`/api/v1/campaigns/${id}/coverage?limit=200`);
	assert.equal(cov0.status, 200, cov0.text);
	// The community holds hundreds of households: page straight to this one.
	const at = await leader.get(`/api/v1/campaigns/${id}/coverage?after=${household - 1}&limit=1`);
	assert.equal(at.status, 200, at.text);
	const row = at.json.items.find((t) => t.target_id === household);
	assert.ok(row && row.visited, 'the household visited earlier in the period counts');
	const before = cov0.json.visited;
	// visit one not yet visited, naming the campaign
	const todo = await leader.get(`/api/v1/campaigns/${id}/coverage?visited=0&limit=200`);
	if (todo.json.items.length) {
		const t = todo.json.items[0].target_id;
		const v = await (await as('cangyi')).post('/api/v1/visits', {
			campaign_id: id, target_kind: 'household', target_id: t, method: 'night' });
		assert.equal(v.status, 201, v.text);
		assert.equal(v.json.campaign.id, id);
		const after = await leader.get(`/api/v1/campaigns/${id}/coverage?visited=0&limit=200`);
		assert.ok(!after.json.items.some((x) => x.target_id === t));
		assert.equal(after.json.visited, before + 1);
	}
	// a campaign of enterprises refuses a household visit
	const e = await leader.post('/api/v1/campaigns', {
		name: '鲸测入企', theme: '三服务', target_kind: 'enterprise', starts_on: '2026-01-01',
		ends_on: '2026-12-31', target_ids: [enterprise] });
	assert.equal(e.status, 201, e.text);
	const wrong = await (await as('cangyi')).post('/api/v1/visits', {
		campaign_id: e.json.id, target_kind: 'household', target_id: household, method: 'home' });
	expectError(assert, wrong, 400, 'invalid_field', 'target_kind');
	// a member of a campaign may visit its targets outside their own scope
	await leader.post(`/api/v1/campaigns/${e.json.id}/members`, { member_ids: [userIds.get('laobao2')] });
	const member = await (await as('laobao2')).post('/api/v1/visits', {
		campaign_id: e.json.id, target_kind: 'enterprise', target_id: enterprise, method: 'phone' });
	assert.equal(member.status, 201, member.text);
	// the cangqian community sees the coverage of its own area only
	const scoped = await (await as('cangqian')).get(`/api/v1/campaigns/${id}/coverage`);
	assert.equal(scoped.json.targets, 0);
	const badDates = await leader.post('/api/v1/campaigns', {
		name: 'x', theme: 'x', target_kind: 'household', starts_on: '2026-05-01', ends_on: '2026-04-01' });
	expectError(assert, badDates, 400, 'invalid_field', 'ends_on');
	expectError(assert, await (await as('cangyi')).post('/api/v1/campaigns', {
		name: 'x', theme: 'x', target_kind: 'household', starts_on: '2026-05-01', ends_on: '2026-06-01' }),
	403, 'role_not_allowed');
});

test('a further problem raised later on a visit becomes a linked order', async () => {
	const cangyi = await as('cangyi');
	const list = await cangyi.get(`/api/v1/visits?target_kind=household&target_id=${household}`);
	const vid = list.json.items[0].id;
	const n = list.json.items[0].orders;
	const r = await cangyi.post(`/api/v1/visits/${vid}/problems`, {
		title: '独居老人申请居家养老', description: '80岁独居老人希望助餐服务', category: 'elderly_care' });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.order_list.length, n + 1);
	const bad = await cangyi.post(`/api/v1/visits/${vid}/problems`, {
		title: 't', description: 'd', category: 'nope' });
	expectError(assert, bad, 400, 'unknown_reference');
});

test('headline counts: households and enterprises visited, problems raised and solved, hazards', async () => {
	const leader = await as('leader');
	const s = await leader.get('/api/v1/visits/stats');
	assert.equal(s.status, 200, s.text);
	for (const k of ['visits', 'households_visited', 'enterprises_visited', 'problems_raised',
		'problems_solved', 'hazards_found', 'hazards_open', 'hazards_overdue', 'hazards_fixed'])
		assert.equal(typeof s.json[k], 'number', k);
	assert.ok(s.json.households_visited >= 2);
	assert.ok(s.json.problems_raised >= 4);
	assert.ok(s.json.hazards_fixed >= 1);
	const sql1 = Number(sql("SELECT COUNT(DISTINCT target_id) FROM visits WHERE target_kind = 'household'")[0][0]);
	assert.equal(s.json.households_visited, sql1);
});
