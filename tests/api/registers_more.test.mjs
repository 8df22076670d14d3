// What keeping the registers needs beyond adding rows, through HTTP and the
// CLI on the Cangqian demo: archiving (soft delete) enterprises, households,
// residents and places with a reason in the audit log, by the people who
// may, and restoring them; archived rows gone from lists, search, exports,
// pairing pages, campaigns and new visits but readable by id for admin and
// leaders; a resident changed with the checks of adding one; campaigns
// changed, closed (no new visits) and trimmed; places and village groups
// imported from CSV (dry run, every bad row, all or nothing, upsert by
// name) and exported to CSV and .xlsx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectError } from './lib.mjs';
import { demo, gbk } from './regs_lib.mjs';

const regs = demo();
const { sql, as, unitIds, userIds } = regs;
let srv;

const one = (q) => sql(q)[0][0];

const enc = encodeURIComponent;
const csvHeaders = { 'Content-Type': 'text/csv' };
const csv = (c, p, body) => c.post(p, body, { raw: true, headers: csvHeaders });

// A day in Shanghai, n days from today, as YYYY-MM-DD.
const day = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

function lastAudit(action) {
	return sql(`SELECT target, reason FROM audit_log WHERE action = '${action}' ORDER BY id DESC LIMIT 1`)[0];
}

before(async () => {
	srv = await regs.start();
});
after(() => regs.stop());

const ALIBABA = '91330100716105852F';
const TENCENT = '9144030071526726XG';

test('enterprises: an admin archives one with a reason; it leaves lists, search, exports and pairing pages, and comes back', async () => {
	const admin = await as('admin');
	const leader = await as('leader');
	const r = await admin.post('/api/v1/enterprises', {
		credit_code: ALIBABA, name: '杭州鲸档光电科技有限公司', unit_id: unitIds.get('CQ-CQSQ'),
		contact_phone: '13805712468', leader_user_id: userIds.get('leader05'),
		liaison_user_id: userIds.get('laobao2') });
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	assert.equal(r.json.archived_at, null);
	const found = (list) => list.json.items.some((e) => e.id === id);
	assert.ok(found(await admin.get(`/api/v1/enterprises?q=${enc('鲸档')}`)));

	// refused without a reason, or by anyone but an admin: nothing changes
	const path1 = `/api/v1/enterprises/${id}`;
	expectError(assert, await admin.delete(path1, {}), 400, 'missing_field', 'reason');
	expectError(assert, await admin.delete(path1, { reason: '　 ' }), 400, 'missing_field', 'reason');
	expectError(assert, await admin.delete(path1, { reason: '鲸'.repeat(201) }), 400, 'too_long', 'reason');
	expectError(assert, await admin.delete(path1, { reason: 'x', why: 1 }), 400, 'unknown_field', 'why');
	expectError(assert, await leader.delete(path1, { reason: 'x' }), 403, 'role_not_allowed');
	expectError(assert, await (await as('laobao2')).delete(path1, { reason: 'x' }), 403, 'role_not_allowed');
	expectError(assert, await admin.delete('/api/v1/enterprises/999999', { reason: 'x' }), 404, 'not_found');
	assert.equal(one(`SELECT COUNT(*) FROM enterprises WHERE id = ${id} AND archived_at IS NULL`), '1');

	const a = await admin.delete(path1, { reason: '企业已注销' });
	assert.equal(a.status, 200, a.text);
	assert.match(a.json.archived_at, /\+08:00$/);
	assert.equal(a.json.archive_reason, '企业已注销');
	assert.equal(a.json.archived_by.id, userIds.get('admin'));
	assert.deepEqual(lastAudit('archive'), [`enterprise:${id}`, '企业已注销']);
	expectError(assert, await admin.delete(path1, { reason: '再来一次' }), 409, 'archived');

	// gone from search (name, credit code, phone), counts, exports and the pairing pages
	for (const q of ['鲸档', ALIBABA]) {
		const s = await admin.get(`/api/v1/enterprises?q=${enc(q)}&count=1`);
		assert.ok(!found(s), `q=${q} still finds it`);
	}
	assert.ok(!found(await admin.get('/api/v1/enterprises?phone=13805712468')));
	assert.ok(!found(await admin.get(`/api/v1/enterprises?leader_id=${userIds.get('leader05')}&limit=200`)));
	const exp = await admin.get('/api/v1/enterprises/export');
	assert.equal(exp.status, 200);
	assert.ok(!exp.text.includes('鲸档'), 'an archived enterprise in the export');
	const page = await (await as('leader05')).get('/api/v1/pairing/mine');
	assert.ok(!page.json.enterprises.some((e) => e.id === id), 'on the leader page');
	const liaison = await as('laobao2');
	expectError(assert, await liaison.get(path1), 404, 'not_found');
	expectError(assert, await liaison.get(`${path1}/pairings`), 404, 'not_found');
	expectError(assert, await (await as('dispatcher')).get(path1), 404, 'not_found');

	// readable by id for admin and leaders, with its history; listed on request
	const got = await leader.get(path1);
	assert.equal(got.status, 200, got.text);
	assert.equal(got.json.archive_reason, '企业已注销');
	assert.equal(got.json.leader.id, userIds.get('leader05'), 'the pairing stays');
	assert.equal((await leader.get(`${path1}/pairings`)).status, 200);
	const arch = await admin.get('/api/v1/enterprises?archived=1&limit=200');
	assert.ok(found(arch));
	assert.ok(arch.json.items.every((e) => e.archived_at), 'only archived ones');
	expectError(assert, await (await as('cangqian')).get('/api/v1/enterprises?archived=1'), 403,
		'role_not_allowed', 'archived');

	// no changes, pairings or visits while archived; its code is still taken
	expectError(assert, await admin.patch(path1, { name: '改名' }), 409, 'archived');
	expectError(assert, await leader.put(`${path1}/pairing`, { leader_user_id: userIds.get('leader06') }),
		409, 'archived');
	expectError(assert, await admin.post('/api/v1/visits', {
		target_kind: 'enterprise', target_id: id, method: 'enterprise' }), 409, 'archived', 'target_id');
	const dup = await admin.post('/api/v1/enterprises', { credit_code: ALIBABA, name: '重来' });
	expectError(assert, dup, 409, 'duplicate_credit_code', 'credit_code');
	assert.match(dup.json.error.message, /archived/);
	const imp = await csv(admin, '/api/v1/enterprises/import?dry_run=1',
		`统一社会信用代码,企业名称\r\n${ALIBABA},杭州鲸档光电科技有限公司\r\n`);
	assert.equal(imp.status, 200, imp.text);
	assert.ok(imp.json.errors.some((e) => e.row === 2 && e.field === 'credit_code' && e.code === 'archived'),
		imp.text);
	assert.equal(one(`SELECT name FROM enterprises WHERE id = ${id}`), '杭州鲸档光电科技有限公司');

	// restored as it was
	expectError(assert, await admin.post(`${path1}/restore`, {}), 400, 'missing_field', 'reason');
	expectError(assert, await leader.post(`${path1}/restore`, { reason: 'x' }), 403, 'role_not_allowed');
	const back = await admin.post(`${path1}/restore`, { reason: '误操作，恢复' });
	assert.equal(back.status, 200, back.text);
	assert.equal(back.json.archived_at, null);
	assert.equal(back.json.archive_reason, '');
	assert.equal(back.json.liaison.id, userIds.get('laobao2'));
	assert.deepEqual(lastAudit('restore'), [`enterprise:${id}`, '误操作，恢复']);
	expectError(assert, await admin.post(`${path1}/restore`, { reason: 'x' }), 409, 'not_archived');
	assert.ok(found(await admin.get(`/api/v1/enterprises?q=${enc('鲸档')}`)));
	assert.equal((await liaison.get(path1)).status, 200);
	const page2 = await (await as('leader05')).get('/api/v1/pairing/mine');
	assert.ok(page2.json.enterprises.some((e) => e.id === id));
});

test('residents: changed with the checks of adding one (sealed, GB 11643), within the household\'s community', async () => {
	const cangyi = await as('cangyi');
	const h = await cangyi.post('/api/v1/households', {
		address: '仓溢绿苑鲸档1幢1单元101室', unit_id: unitIds.get('CQ-CYLY'), head_name: '李鲸档' });
	assert.equal(h.status, 201, h.text);
	const r = await cangyi.post(`/api/v1/households/${h.json.id}/residents`, {
		name: '李小档', relation: '子', phone: '13700002222', id_no: '11010519491231002X' });
	assert.equal(r.status, 201, r.text);
	const rid = r.json.residents[0].id;
	const p = `/api/v1/residents/${rid}`;
	const before = sql(`SELECT phone_sealed, id_no_sealed, name FROM residents WHERE id = ${rid}`)[0];

	expectError(assert, await cangyi.patch(p, { id_no: '110105194912310021' }), 400, 'invalid_id_no', 'id_no');
	expectError(assert, await cangyi.patch(p, { phone: '12' }), 400, 'invalid_phone', 'phone');
	expectError(assert, await cangyi.patch(p, { name: '  ' }), 400, 'missing_field', 'name');
	expectError(assert, await cangyi.patch(p, { name: '鲸'.repeat(31) }), 400, 'too_long', 'name');
	expectError(assert, await cangyi.patch(p, { relation: '子', household_id: 1 }), 400, 'unknown_field',
		'household_id');
	expectError(assert, await cangyi.patch(p, { name: '李档', phone: 'x' }), 400, 'invalid_phone', 'phone');
	expectError(assert, await (await as('cangqian')).patch(p, { relation: '女' }), 404, 'not_found');
	expectError(assert, await (await as('jingfa')).patch(p, { relation: '女' }), 403, 'role_not_allowed');
	assert.deepEqual(sql(`SELECT phone_sealed, id_no_sealed, name FROM residents WHERE id = ${rid}`)[0], before,
		'a refused change changed something');

	const ok = await cangyi.patch(p, {
		name: ' 李小鲸 ', relation: '女', phone: '137 0000 3333', id_no: '330110199003071230', notes: '在外务工' });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.household_id, h.json.id);
	assert.equal(ok.json.name, '李**', 'names masked for a community worker');
	assert.equal(ok.json.relation, '女');
	assert.equal(ok.json.phone, '137****3333');
	assert.equal(ok.json.id_no, '3301**********1230');
	assert.ok(!ok.text.includes('13700003333') && !ok.text.includes('19900307'));
	const row = sql(`SELECT phone_sealed, name, notes FROM residents WHERE id = ${rid}`)[0];
	assert.ok(!row[0].includes('13700003333') && row[0].length > 40, 'not sealed');
	assert.deepEqual(row.slice(1), ['李小鲸', '在外务工']);
	const leader = await as('leader');
	assert.ok((await leader.get('/api/v1/households?phone=13700003333')).json.items
		.some((x) => x.id === h.json.id), 'found by the new phone');
	assert.ok(!(await leader.get('/api/v1/households?phone=13700002222')).json.items
		.some((x) => x.id === h.json.id), 'still found by the old phone');
	const rv = await leader.post(`${p}/reveal`, { reason: '核实', field: 'id_no' });
	assert.equal(rv.json.value, '330110199003071230');
	const g = await leader.get(p);
	assert.equal(g.status, 200, g.text);
	assert.equal(g.json.name, '李小鲸');
	// a blank phone clears it
	const cleared = await cangyi.patch(p, { phone: '' });
	assert.equal(cleared.json.phone, '');
	assert.equal(one(`SELECT COUNT(*) FROM residents WHERE id = ${rid} AND phone_sealed IS NULL`), '1');
});

test('households and residents: archived by their own community (not another, not a leader), hidden, restored', async () => {
	const cangyi = await as('cangyi');
	const admin = await as('admin');
	const leader = await as('leader');
	const h = await cangyi.post('/api/v1/households', {
		address: '仓溢绿苑鲸档2幢1单元101室', unit_id: unitIds.get('CQ-CYLY'), head_name: '王鲸迁',
		phone: '13911110000' });
	assert.equal(h.status, 201, h.text);
	const hid = h.json.id;
	const r = await cangyi.post(`/api/v1/households/${hid}/residents`, { name: '王小迁', phone: '13911112222' });
	const rid = r.json.residents[0].id;

	// a resident moves away
	expectError(assert, await (await as('cangqian')).delete(`/api/v1/residents/${rid}`, { reason: 'x' }), 404,
		'not_found');
	expectError(assert, await leader.delete(`/api/v1/residents/${rid}`, { reason: 'x' }), 403, 'role_not_allowed');
	const ra = await cangyi.delete(`/api/v1/residents/${rid}`, { reason: '迁出' });
	assert.equal(ra.status, 200, ra.text);
	assert.ok(ra.json.archived_at);
	assert.deepEqual(lastAudit('archive'), [`resident:${rid}`, '迁出']);
	const mine = await cangyi.get(`/api/v1/households/${hid}`);
	assert.deepEqual(mine.json.residents, []);
	assert.equal(mine.json.archived_residents, undefined);
	const adm = await admin.get(`/api/v1/households/${hid}`);
	assert.deepEqual(adm.json.archived_residents.map((x) => x.id), [rid]);
	assert.ok(!(await leader.get('/api/v1/households?phone=13911112222')).json.items.some((x) => x.id === hid),
		'an archived resident\'s phone still finds the household');
	expectError(assert, await cangyi.get(`/api/v1/residents/${rid}`), 404, 'not_found');
	assert.equal((await leader.get(`/api/v1/residents/${rid}`)).status, 200);
	expectError(assert, await admin.patch(`/api/v1/residents/${rid}`, { relation: '子' }), 409, 'archived');
	const rb = await cangyi.post(`/api/v1/residents/${rid}/restore`, { reason: '回迁' });
	assert.equal(rb.status, 200, rb.text);
	assert.equal(rb.json.archived_at, null);
	assert.equal((await cangyi.get(`/api/v1/households/${hid}`)).json.residents.length, 1);

	// the whole household moves away
	const hp = `/api/v1/households/${hid}`;
	expectError(assert, await (await as('cangqian')).delete(hp, { reason: 'x' }), 404, 'not_found');
	expectError(assert, await (await as('dispatcher')).delete(hp, { reason: 'x' }), 403, 'role_not_allowed');
	expectError(assert, await (await as('grid1')).delete(hp, { reason: 'x' }), 403, 'role_not_allowed');
	expectError(assert, await cangyi.delete(hp, {}), 400, 'missing_field', 'reason');
	assert.equal(one(`SELECT COUNT(*) FROM households WHERE id = ${hid} AND archived_at IS NULL`), '1');
	const ha = await cangyi.delete(hp, { reason: '整户迁出' });
	assert.equal(ha.status, 200, ha.text);
	assert.equal(ha.json.archive_reason, '整户迁出');
	assert.deepEqual(lastAudit('archive'), [`household:${hid}`, '整户迁出']);
	expectError(assert, await cangyi.get(hp), 404, 'not_found');
	assert.ok(!(await cangyi.get(`/api/v1/households?q=${enc('鲸迁')}`)).json.items.length);
	assert.ok(!(await leader.get('/api/v1/households?phone=13911110000')).json.items.some((x) => x.id === hid));
	assert.ok(!(await cangyi.get('/api/v1/households/export')).text.includes('鲸档2幢'));
	const got = await leader.get(hp);
	assert.equal(got.status, 200, got.text);
	assert.equal(got.json.residents.length, 1, 'its residents stay');
	assert.ok((await leader.get(`/api/v1/households?archived=1&q=${enc('鲸迁')}`)).json.items
		.some((x) => x.id === hid));
	expectError(assert, await admin.patch(hp, { members: 3 }), 409, 'archived');
	expectError(assert, await admin.post(`${hp}/residents`, { name: '新人' }), 409, 'archived');
	expectError(assert, await admin.post('/api/v1/visits', {
		target_kind: 'household', target_id: hid, method: 'home' }), 409, 'archived', 'target_id');
	const dup = await cangyi.post('/api/v1/households', {
		address: '仓溢绿苑鲸档2幢1单元101室', unit_id: unitIds.get('CQ-CYLY') });
	expectError(assert, dup, 409, 'duplicate_address', 'address');
	assert.match(dup.json.error.message, /archived/);
	const imp = await csv(admin, '/api/v1/households/import?dry_run=1',
		'地址,社区/村\r\n仓溢绿苑鲸档2幢1单元101室,CQ-CYLY\r\n');
	assert.ok(imp.json.errors.some((e) => e.row === 2 && e.field === 'address' && e.code === 'archived'),
		imp.text);
	// campaigns leave it out: not added by unit, refused by id
	const today = day(0);
	const cp = await leader.post('/api/v1/campaigns', {
		name: '鲸档排摸', theme: '民情大排摸', target_kind: 'household', starts_on: today, ends_on: today,
		target_unit_id: unitIds.get('CQ-CYLY') });
	assert.equal(cp.status, 201, cp.text);
	assert.equal(one(`SELECT COUNT(*) FROM campaign_targets WHERE campaign_id = ${cp.json.id} AND target_id = ${hid}`), '0');
	expectError(assert, await leader.post(`/api/v1/campaigns/${cp.json.id}/targets`, { target_ids: [hid] }), 400,
		'archived_reference', 'target_ids');

	// the community that archived it restores it
	const hb = await cangyi.post(`${hp}/restore`, { reason: '回迁' });
	assert.equal(hb.status, 200, hb.text);
	assert.equal(hb.json.archived_at, null);
	assert.equal((await cangyi.get(hp)).status, 200);
	assert.ok((await cangyi.get(`/api/v1/households?q=${enc('鲸迁')}`)).json.items.some((x) => x.id === hid));
	// an archived household drops out of a campaign's coverage and counts
	const c2 = await leader.post(`/api/v1/campaigns/${cp.json.id}/targets`, { target_ids: [hid] });
	assert.equal(c2.status, 200, c2.text);
	const n = c2.json.targets;
	await cangyi.delete(hp, { reason: '整户迁出' });
	const c3 = await leader.get(`/api/v1/campaigns/${cp.json.id}`);
	assert.equal(c3.json.targets, n - 1);
	assert.equal(c3.json.in_scope.targets, n - 1);
	const cov = await leader.get(`/api/v1/campaigns/${cp.json.id}/coverage?after=${hid - 1}&limit=1`);
	assert.ok(!cov.json.items.some((x) => x.target_id === hid));
	await cangyi.post(`${hp}/restore`, { reason: '回迁' });
});

test('places: an admin archives one; it leaves lists and exports, takes no new links, and comes back', async () => {
	const admin = await as('admin');
	const leader = await as('leader');
	const made = await admin.post('/api/v1/places', {
		kind: 'building', name: '鲸档大厦', unit_id: unitIds.get('CQ-CQSQ'), floors: 20 });
	assert.equal(made.status, 201, made.text);
	const id = made.json.id;
	const p = `/api/v1/places/${id}`;
	const linked = await admin.post('/api/v1/enterprises', {
		credit_code: TENCENT, name: '杭州鲸楼科技有限公司', place_id: id });
	assert.equal(linked.status, 201, linked.text);

	expectError(assert, await leader.delete(p, { reason: 'x' }), 403, 'role_not_allowed');
	expectError(assert, await admin.delete(p, {}), 400, 'missing_field', 'reason');
	const a = await admin.delete(p, { reason: '楼宇已拆除' });
	assert.equal(a.status, 200, a.text);
	assert.deepEqual(lastAudit('archive'), [`place:${id}`, '楼宇已拆除']);
	assert.ok(!(await leader.get(`/api/v1/places?q=${enc('鲸档')}`)).json.items.length);
	assert.ok(!(await admin.get('/api/v1/places/export')).text.includes('鲸档大厦'));
	expectError(assert, await (await as('cangqian')).get(p), 404, 'not_found');
	assert.equal((await leader.get(p)).status, 200);
	assert.deepEqual((await leader.get(`/api/v1/places?archived=1&q=${enc('鲸档')}`)).json.items.map((x) => x.id),
		[id]);
	// an existing link stays; a new one is refused
	const e = await admin.get(`/api/v1/enterprises/${linked.json.id}`);
	assert.equal(e.json.place.id, id);
	assert.equal((await admin.patch(`/api/v1/enterprises/${linked.json.id}`, { address: '良睦路9号' })).status, 200);
	expectError(assert, await admin.post('/api/v1/enterprises', {
		credit_code: '91110108551385082Q', name: '鲸新', place_id: id }), 400, 'archived_reference', 'place_id');
	expectError(assert, await admin.post('/api/v1/households', {
		address: '鲸档大厦1室', unit_id: unitIds.get('CQ-CQSQ'), place_id: id }), 400, 'archived_reference',
	'place_id');
	const hi = await csv(admin, '/api/v1/households/import?dry_run=1', '地址,社区/村,小区/楼宇\r\n鲸档大厦2室,CQ-CQSQ,鲸档大厦\r\n');
	assert.ok(hi.json.errors.some((x) => x.field === 'place' && x.code === 'archived_reference'), hi.text);
	const pi = await csv(admin, '/api/v1/places/import?dry_run=1', '类型,名称\r\n楼宇,鲸档大厦\r\n');
	assert.ok(pi.json.errors.some((x) => x.field === 'name' && x.code === 'archived'), pi.text);
	expectError(assert, await admin.patch(p, { floors: 21 }), 409, 'archived');
	const dup = await admin.post('/api/v1/places', { kind: 'building', name: '鲸档大厦' });
	expectError(assert, dup, 409, 'duplicate_name', 'name');
	assert.match(dup.json.error.message, /archived/);
	expectError(assert, await admin.post('/api/v1/visits', {
		target_kind: 'place', target_id: id, method: 'site' }), 409, 'archived', 'target_id');

	const b = await admin.post(`${p}/restore`, { reason: '名称恢复使用' });
	assert.equal(b.status, 200, b.text);
	assert.equal(b.json.archived_at, null);
	assert.equal(b.json.enterprises, 1);
	assert.deepEqual((await leader.get(`/api/v1/places?q=${enc('鲸档')}`)).json.items.map((x) => x.id), [id]);
});

test('campaigns: changed by admin and leaders, targets and members removed, closed to new visits', async () => {
	const leader = await as('leader');
	const cangyi = await as('cangyi');
	const hh = [];
	for (const n of [1, 2]) {
		const h = await cangyi.post('/api/v1/households', {
			address: `仓溢绿苑鲸活${n}幢1单元101室`, unit_id: unitIds.get('CQ-CYLY') });
		assert.equal(h.status, 201, h.text);
		hh.push(h.json.id);
	}
	const made = await leader.post('/api/v1/campaigns', {
		name: '鲸档夜访', theme: '组级整治', target_kind: 'household', starts_on: day(-5), ends_on: day(5),
		templates: ['household_survey'], target_ids: hh, member_ids: [userIds.get('cangyi'), userIds.get('grid1')] });
	assert.equal(made.status, 201, made.text);
	const id = made.json.id;
	const cp = `/api/v1/campaigns/${id}`;
	assert.equal(made.json.closed_at, null);
	const v = await cangyi.post('/api/v1/visits', {
		campaign_id: id, target_kind: 'household', target_id: hh[0], method: 'night' });
	assert.equal(v.status, 201, v.text);

	// who may change it, and what is checked
	expectError(assert, await (await as('dispatcher')).patch(cp, { name: 'x' }), 403, 'role_not_allowed');
	expectError(assert, await cangyi.patch(cp, { name: 'x' }), 403, 'role_not_allowed');
	expectError(assert, await leader.patch(cp, { templates: ['no_such_template'] }), 400, 'unknown_reference',
		'templates');
	expectError(assert, await leader.patch(cp, { name: '' }), 400, 'missing_field', 'name');
	expectError(assert, await leader.patch(cp, { theme: '鲸'.repeat(41) }), 400, 'too_long', 'theme');
	expectError(assert, await leader.patch(cp, { target_kind: 'enterprise' }), 400, 'unknown_field', 'target_kind');
	expectError(assert, await leader.patch(cp, { starts_on: '2026-13-01' }), 400, 'invalid_field', 'starts_on');
	expectError(assert, await leader.patch(cp, { ends_on: day(-6) }), 400, 'invalid_field', 'ends_on');
	expectError(assert, await leader.patch(cp, { starts_on: day(-5), ends_on: day(400) }), 400, 'invalid_field',
		'ends_on');
	// a period that would leave a recorded visit outside
	expectError(assert, await leader.patch(cp, { ends_on: day(-1) }), 409, 'visits_outside_period', 'ends_on');
	expectError(assert, await leader.patch(cp, { starts_on: day(1) }), 409, 'visits_outside_period', 'starts_on');
	expectError(assert, await leader.patch('/api/v1/campaigns/999999', { name: 'x' }), 404, 'not_found');
	const still = await leader.get(cp);
	assert.equal(still.json.name, '鲸档夜访');
	assert.deepEqual(still.json.templates, ['household_survey']);

	const ch = await leader.patch(cp, {
		name: '鲸档夜访（延期）', theme: '民情大排摸', ends_on: day(30), notes: '延长一个月',
		templates: ['household_survey', 'fire_highrise'] });
	assert.equal(ch.status, 200, ch.text);
	assert.equal(ch.json.name, '鲸档夜访（延期）');
	assert.equal(ch.json.theme, '民情大排摸');
	assert.equal(ch.json.notes, '延长一个月');
	assert.deepEqual(ch.json.templates, ['household_survey', 'fire_highrise']);
	assert.ok(ch.json.ends_at.startsWith(day(30)), ch.json.ends_at);
	assert.ok(ch.json.starts_at.startsWith(day(-5)), 'the start stays');
	assert.equal(ch.json.visited, 1);

	// remove a target and a member; the visits stay
	const t = await leader.delete(`${cp}/targets/${hh[0]}`);
	assert.equal(t.status, 200, t.text);
	assert.equal(t.json.targets, 1);
	expectError(assert, await leader.delete(`${cp}/targets/${hh[0]}`), 404, 'not_found', 'target_id');
	expectError(assert, await cangyi.delete(`${cp}/targets/${hh[1]}`), 403, 'role_not_allowed');
	const m = await (await as('dispatcher')).delete(`${cp}/members/${userIds.get('grid1')}`);
	assert.equal(m.status, 200, m.text);
	assert.deepEqual(m.json.member_list.map((x) => x.user_id), [userIds.get('cangyi')]);
	expectError(assert, await leader.delete(`${cp}/members/${userIds.get('grid1')}`), 404, 'not_found', 'user_id');
	assert.equal(one(`SELECT COUNT(*) FROM visits WHERE campaign_id = ${id}`), '1');

	// closed: no new visits naming it, no more changes; still readable
	expectError(assert, await (await as('dispatcher')).post(`${cp}/close`, {}), 403, 'role_not_allowed');
	const c = await leader.post(`${cp}/close`, { reason: '排摸结束' });
	assert.equal(c.status, 200, c.text);
	assert.match(c.json.closed_at, /\+08:00$/);
	assert.equal(c.json.closed_by.id, userIds.get('leader'));
	assert.deepEqual(lastAudit('close'), [`campaign:${id}`, '排摸结束']);
	expectError(assert, await leader.post(`${cp}/close`), 409, 'campaign_closed');
	const late = await cangyi.post('/api/v1/visits', {
		campaign_id: id, target_kind: 'household', target_id: hh[1], method: 'home' });
	expectError(assert, late, 409, 'campaign_closed', 'campaign_id');
	assert.equal(one(`SELECT COUNT(*) FROM visits WHERE campaign_id = ${id}`), '1');
	expectError(assert, await leader.patch(cp, { name: 'x' }), 409, 'campaign_closed');
	expectError(assert, await leader.post(`${cp}/targets`, { target_ids: [hh[0]] }), 409, 'campaign_closed');
	expectError(assert, await leader.post(`${cp}/members`, { member_ids: [userIds.get('grid1')] }), 409,
		'campaign_closed');
	expectError(assert, await leader.delete(`${cp}/targets/${hh[1]}`), 409, 'campaign_closed');
	const active = await leader.get('/api/v1/campaigns?active=1');
	assert.ok(!active.json.items.some((x) => x.id === id), 'a closed campaign is not active');
	const all = await leader.get('/api/v1/campaigns');
	assert.ok(all.json.items.find((x) => x.id === id).closed_at);
	assert.equal((await cangyi.get(`${cp}/coverage`)).status, 200);
	// a visit to the same household without the campaign is still fine
	const free = await cangyi.post('/api/v1/visits', { target_kind: 'household', target_id: hh[1], method: 'home' });
	assert.equal(free.status, 201, free.text);
});

const PLACE_HEAD = '类型,名称,地址,社区/村,网格,运营方,楼层数,面积(平方米),备注\r\n';

test('places import: a dry run lists every bad row and field; a good file (GBK) upserts by name in one go', async () => {
	const admin = await as('admin');
	const bad = PLACE_HEAD +
		'楼宇,鲸档一号楼,良睦路1号,仓前社区,,鲸档物业,18,12000,\r\n' +
		'城堡,鲸档二号楼,,不存在社区,,,300,-5,\r\n' +
		'园区,鲸档一号楼,,,,,,,\r\n' +
		',鲸档三号楼,,,\r\n' +
		',鲸档四号楼,,,,,,,\r\n' +
		'小区,,,,CQ-CQSQ,,,,\r\n';
	const before = one('SELECT COUNT(*) FROM places');
	const dry = await csv(admin, '/api/v1/places/import?dry_run=1', bad);
	assert.equal(dry.status, 200, dry.text);
	assert.equal(dry.json.kind, 'places');
	assert.equal(dry.json.ok, false);
	assert.equal(dry.json.rows, 6);
	const at = (row, field) => dry.json.errors.find((e) => e.row === row && e.field === field);
	assert.equal(at(3, 'kind').code, 'invalid_field');
	assert.equal(at(3, 'kind').column, '类型');
	assert.equal(at(3, 'unit').code, 'unknown_reference');
	assert.ok(at(3, 'floors'));
	assert.ok(at(3, 'area_m2'));
	assert.equal(at(4, 'name').code, 'duplicate_name');
	assert.match(at(4, 'name').message, /row 2/);
	assert.ok(dry.json.errors.some((e) => e.row === 5 && e.code === 'wrong_column_count'));
	assert.equal(at(6, 'kind').code, 'missing_field');
	assert.equal(at(7, 'name').code, 'missing_field');
	assert.equal(at(7, 'grid').code, 'unknown_reference', 'a community is not a grid');
	const real = await csv(admin, '/api/v1/places/import', bad);
	expectError(assert, real, 400, 'invalid_rows', 'kind');
	assert.match(real.json.error.message, /row 3/);
	assert.equal(one('SELECT COUNT(*) FROM places'), before, 'half imported');
	expectError(assert, await csv(await as('cangyi'), '/api/v1/places/import', PLACE_HEAD), 403, 'role_not_allowed');
	expectError(assert, await csv(admin, '/api/v1/places/import', '名称,地址\r\n鲸,x\r\n'), 400, 'missing_column');

	const good = PLACE_HEAD +
		'楼宇,鲸档一号楼,良睦路1号,仓前社区,CQ-WG1,鲸档物业,18,12000,"一楼商铺,二楼以上办公"\r\n' +
		'小区,仓溢绿苑,余杭区仓前街道仓溢路,CQ-CYLY,,仓溢物业,18,420000,征迁安置小区\r\n';
	const r = await csv(admin, '/api/v1/places/import', gbk(good));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.encoding, 'gb18030');
	assert.deepEqual([r.json.inserted, r.json.updated], [1, 1]);
	const list = await admin.get(`/api/v1/places?q=${enc('鲸档一号楼')}`);
	const p = list.json.items[0];
	assert.equal(p.kind, 'building');
	assert.equal(p.unit.id, unitIds.get('CQ-CQSQ'));
	assert.equal(p.grid.id, unitIds.get('CQ-WG1'));
	assert.equal(p.operator, '鲸档物业');
	assert.equal(p.floors, 18);
	assert.equal(p.area_m2, 12000);
	assert.equal(p.notes, '一楼商铺,二楼以上办公');
	const cy = (await admin.get(`/api/v1/places?q=${enc('仓溢绿苑')}`)).json.items.find((x) => x.name === '仓溢绿苑');
	assert.equal(cy.operator, '仓溢物业');
	const again = await csv(admin, '/api/v1/places/import', good.replace('鲸档物业', '鲸档物业二'));
	assert.deepEqual([again.json.inserted, again.json.updated], [0, 2]);
	assert.equal((await admin.get(`/api/v1/places/${p.id}`)).json.operator, '鲸档物业二');
	assert.ok(Number(one("SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND target = 'places'")) >= 2);

	// the export opens in Excel and imports again unchanged
	const out = await admin.get('/api/v1/places/export');
	assert.equal(out.status, 200);
	assert.match(out.headers.get('content-disposition'), /filename="places-/);
	assert.ok(out.text.startsWith('编号,类型,名称,地址,社区/村,网格,运营方,楼层数,面积(平方米),备注,企业数,住户数,最近走访时间'),
		out.text.slice(0, 120));
	assert.ok(out.text.includes('鲸档一号楼'));
	const re = await csv(admin, '/api/v1/places/import?dry_run=1', out.text);
	assert.equal(re.json.ok, true, JSON.stringify(re.json.errors.slice(0, 3)));
	assert.equal(re.json.inserted, 0);
	const parks = await admin.get('/api/v1/places/export?kind=park');
	assert.ok(!parks.text.includes('鲸档一号楼') && !parks.text.includes('仓溢绿苑'));
	expectError(assert, await admin.get('/api/v1/places/export?kind=castle'), 400, 'invalid_field', 'kind');
	const cookie = [...admin.jar].map(([k, v]) => `${k}=${v}`).join('; ');
	const x = await fetch(`${srv.url}/api/v1/places/export?format=xlsx`, { headers: { Cookie: cookie } });
	assert.match(x.headers.get('content-type'), /spreadsheetml/);
	assert.equal(Buffer.from(await x.arrayBuffer()).subarray(0, 4).toString('latin1'), 'PK\x03\x04');
});

const VG_HEAD = '村,村民小组,编码,组长,户数,人口,备注\r\n';

test('village groups import: keyed by village and name, new codes made, each village by its own staff', async () => {
	const admin = await as('admin');
	const good = VG_HEAD +
		'连具塘村,连具塘村鲸档组,,沈鲸档,30,95,\r\n' +
		'连具塘村,连具塘村一组,CQ-LJTC-01,沈水根,45,150,\r\n' +
		'CQ-LYC,灵源村鲸档组,CQ-LYC-JD1,,12,40,新分组\r\n';
	// a village's staff: only their own village
	const lj = await csv(await as('lianjutang'), '/api/v1/village-groups/import?dry_run=1', good);
	assert.equal(lj.status, 200, lj.text);
	assert.deepEqual(lj.json.errors.map((e) => [e.row, e.field, e.code]), [[4, 'village', 'out_of_scope']]);
	expectError(assert, await csv(await as('lianjutang'), '/api/v1/village-groups/import', good), 400,
		'out_of_scope', 'village');
	expectError(assert, await csv(await as('jingfa'), '/api/v1/village-groups/import', good), 403,
		'role_not_allowed');

	const bad = VG_HEAD +
		'不存在村,鲸一组,,,,,\r\n' +
		'连具塘村,,,,,,\r\n' +
		'连具塘村,连具塘村二组,WRONG-CODE,,,,\r\n' +
		'连具塘村,连具塘村鲸新组,CQ-LJTC,,,,\r\n' +
		'连具塘村,连具塘村鲸档组,,,很多,,\r\n' +
		'连具塘村,连具塘村鲸档组,,,,,\r\n' +
		'灵源村,灵源村鲸甲组,CQ-LYC-JD9,,,,\r\n' +
		'灵源村,灵源村鲸乙组,CQ-LYC-JD9,,,,\r\n';
	const before = one("SELECT COUNT(*) FROM units WHERE kind = 'village_group'");
	const d = await csv(admin, '/api/v1/village-groups/import?dry_run=1', bad);
	const at = (row, field) => d.json.errors.find((e) => e.row === row && e.field === field);
	assert.equal(d.json.kind, 'village-groups');
	assert.equal(at(2, 'village').code, 'unknown_reference');
	assert.equal(at(3, 'name').code, 'missing_field');
	assert.equal(at(4, 'code').code, 'invalid_field');
	assert.equal(at(5, 'code').code, 'duplicate_code');
	assert.equal(at(6, 'households').code, 'invalid_field');
	assert.equal(at(7, 'name').code, 'duplicate_group');
	assert.equal(at(9, 'code').code, 'duplicate_code');
	assert.match(at(9, 'code').message, /row 8/);
	expectError(assert, await csv(admin, '/api/v1/village-groups/import', bad), 400, 'invalid_rows', 'village');
	assert.equal(one("SELECT COUNT(*) FROM units WHERE kind = 'village_group'"), before);

	const r = await csv(admin, '/api/v1/village-groups/import', '\ufeff' + good);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual([r.json.inserted, r.json.updated], [2, 1]);
	const groups = await admin.get(`/api/v1/village-groups?unit_id=${unitIds.get('CQ-LJTC')}`);
	const made = groups.json.items.find((g) => g.name === '连具塘村鲸档组');
	assert.ok(made, 'the new group');
	assert.match(made.code, /^CQ-LJTC-\d\d$/);
	assert.deepEqual([made.leader_name, made.households, made.population], ['沈鲸档', 30, 95]);
	const g1 = groups.json.items.find((g) => g.code === 'CQ-LJTC-01');
	assert.deepEqual([g1.leader_name, g1.households, g1.population], ['沈水根', 45, 150]);
	const ly = (await admin.get(`/api/v1/village-groups?q=${enc('灵源村鲸档组')}`)).json.items[0];
	assert.deepEqual([ly.code, ly.village.id, ly.notes], ['CQ-LYC-JD1', unitIds.get('CQ-LYC'), '新分组']);
	const again = await csv(admin, '/api/v1/village-groups/import', good.replace(',,沈鲸档,30', `,${made.code},沈鲸档,31`));
	assert.equal(again.status, 200, again.text);
	assert.deepEqual([again.json.inserted, again.json.updated], [0, 3]);

	const out = await admin.get(`/api/v1/village-groups/export?unit_id=${unitIds.get('CQ-LJTC')}`);
	assert.equal(out.status, 200);
	assert.ok(out.text.startsWith('编号,村,村民小组,编码,组长,户数,人口,备注,最近走访时间'), out.text.slice(0, 80));
	assert.ok(out.text.includes('连具塘村鲸档组') && !out.text.includes('灵源村'));
	const re = await csv(admin, '/api/v1/village-groups/import?dry_run=1', out.text);
	assert.equal(re.json.ok, true, JSON.stringify(re.json.errors.slice(0, 3)));
	assert.equal(re.json.inserted, 0);
	assert.ok(re.json.updated >= 50);
});

test('CLI: sanfu import places|village-groups FILE [--dry-run] and sanfu export places|village-groups FILE', async () => {
	const file = path.join(srv.dir, 'p.csv');
	writeFileSync(file, gbk(PLACE_HEAD + '园区,鲸档科创园,,仓前社区,,,6,,\r\n' + '城堡,鲸档坏园,,,,,,,\r\n'));
	let r = await srv.sanfu('import', 'places', file, '--dry-run');
	assert.equal(r.code, 1, r.stdout + r.stderr);
	assert.match(r.stdout, /dry run: .*2 rows/);
	assert.match(r.stderr, /row 3/);
	writeFileSync(file, PLACE_HEAD + '园区,鲸档科创园,,仓前社区,,,6,,\r\n');
	r = await srv.sanfu('import', 'places', file, '--dry-run');
	assert.equal(r.code, 0, r.stderr);
	assert.equal(one("SELECT COUNT(*) FROM places WHERE name = '鲸档科创园'"), '0');
	r = await srv.sanfu('import', 'places', file);
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, /1 inserted/);
	assert.equal(one("SELECT kind FROM places WHERE name = '鲸档科创园'"), 'park');
	const vg = path.join(srv.dir, 'g.csv');
	writeFileSync(vg, VG_HEAD + '宋家山村,宋家山村鲸档组,,,8,20,\r\n');
	r = await srv.sanfu('import', 'village-groups', vg, '--dry-run', '--json');
	assert.equal(r.code, 0, r.stderr);
	assert.equal(JSON.parse(r.stdout).inserted, 1);
	r = await srv.sanfu('import', 'village-groups', vg);
	assert.equal(r.code, 0, r.stderr);
	for (const [kind, name] of [['places', 'p.xlsx'], ['village-groups', 'g.csv']]) {
		r = await srv.sanfu('export', kind, path.join(srv.dir, name));
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, new RegExp(`exported \\d+ ${kind}`));
	}
	r = await srv.sanfu('import', 'castles', file);
	assert.equal(r.code, 2);
});
