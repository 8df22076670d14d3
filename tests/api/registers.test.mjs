// The registers (issue 3) through HTTP and the CLI on the Cangqian demo:
// enterprises with credit-code checks, sealed and masked phones, the
// audited reveal, bigram search of two-character Chinese terms, exact phone
// lookup; households, places and village groups; pairing with its history
// and the leader's page; data scope per role; CSV import (dry run, GBK,
// BOM, bad rows, broken quotes, undecodable bytes, oversized files,
// all-or-nothing upsert) and export to CSV and .xlsx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectError } from './lib.mjs';
import { demo, gbk } from './regs_lib.mjs';

const regs = demo();
const { sql, as, unitIds, userIds } = regs;
let srv;

const csvHeaders = { 'Content-Type': 'text/csv' };

before(async () => {
	srv = await regs.start();
});
after(() => regs.stop());

// Real codes (business licences) nobody in the demo has.
const ALIBABA = '91330100716105852F';
const TENCENT = '9144030071526726XG';
const HUAWEI = '914403001922038216';
const XIAOMI = '91110108551385082Q';
const CNPC = '91110000802100433B';

test('a credit code with a wrong check character is refused, naming the field', async () => {
	const admin = await as('admin');
	const r = await admin.post('/api/v1/enterprises', {
		credit_code: '91330100716105852E', name: '鲸测错误代码有限公司' });
	expectError(assert, r, 400, 'invalid_credit_code', 'credit_code');
	assert.match(r.json.error.message, /should be F/);
	const short = await admin.post('/api/v1/enterprises', { credit_code: '9133', name: 'x' });
	expectError(assert, short, 400, 'invalid_credit_code', 'credit_code');
	const letters = await admin.post('/api/v1/enterprises', {
		credit_code: '91330100716I05852F', name: 'x' });
	expectError(assert, letters, 400, 'invalid_credit_code', 'credit_code');
	const industry = await admin.post('/api/v1/enterprises', {
		credit_code: CNPC, name: 'x', industry_section: 'C', industry_division: '65' });
	expectError(assert, industry, 400, 'invalid_industry');
	const unit = await admin.post('/api/v1/enterprises', {
		credit_code: CNPC, name: 'x', unit_id: unitIds.get('CQ-JF') });
	expectError(assert, unit, 400, 'invalid_reference', 'unit_id');
	assert.equal(sql(`SELECT COUNT(*) FROM enterprises WHERE credit_code = '${CNPC}'`)[0][0], '0');
});

test('enterprises: created with a sealed phone, shown masked, found by bigram and by phone', async () => {
	const admin = await as('admin');
	const r = await admin.post('/api/v1/enterprises', {
		credit_code: ' 9133 0100 7161 0585 2f ', // typed with spaces, lowercase
		name: '杭州鲸测光电科技有限公司',
		industry_division: '38',
		above_scale: true,
		address: '余杭区仓前街道鹭鸶路88号',
		unit_id: unitIds.get('CQ-CQSQ'),
		grid_unit_id: unitIds.get('CQ-WG1-JH'),
		contact_name: '姚冀众',
		contact_phone: '+86 138-0571-2468',
		tags: ['光伏', '高新技术企业'],
	});
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.credit_code, ALIBABA);
	assert.equal(r.json.industry.section, 'C');
	assert.equal(r.json.contact.phone, '138****2468');
	assert.ok(!r.text.includes('13805712468'), 'the phone leaked');
	const row = sql(`SELECT contact_phone_sealed, contact_phone_mask FROM enterprises WHERE credit_code = '${ALIBABA}'`)[0];
	assert.ok(!row[0].includes('13805712468') && row[0].length > 40, 'not sealed');
	assert.equal(row[1], '138****2468');

	const dup = await admin.post('/api/v1/enterprises', { credit_code: ALIBABA, name: '重复' });
	expectError(assert, dup, 409, 'duplicate_credit_code', 'credit_code');

	for (const q of ['鲸测', '鲸', '光电', '鹭鸶', '测光', ALIBABA.toLowerCase()]) {
		const s = await admin.get(`/api/v1/enterprises?q=${encodeURIComponent(q)}&count=1`);
		assert.equal(s.status, 200, s.text);
		assert.ok(s.json.items.some((e) => e.id === r.json.id), `q=${q} did not find it`);
	}
	for (const q of ['测鲸', '鲸测电', 'zz']) {
		const s = await admin.get(`/api/v1/enterprises?q=${encodeURIComponent(q)}`);
		assert.ok(!s.json.items.some((e) => e.id === r.json.id), `q=${q} found it`);
	}
	const byPhone = await admin.get('/api/v1/enterprises?phone=13805712468');
	assert.deepEqual(byPhone.json.items.map((e) => e.id), [r.json.id]);
	const other = await admin.get('/api/v1/enterprises?phone=13805712469');
	assert.equal(other.json.items.length, 0);
	const badPhone = await admin.get('/api/v1/enterprises?phone=abc');
	expectError(assert, badPhone, 400, 'invalid_phone', 'phone');
});

test('the reveal gives the clear phone to admin/leader/dispatcher only, and is audited with its reason', async () => {
	const admin = await as('admin');
	const list = await admin.get(`/api/v1/enterprises?q=${encodeURIComponent('鲸测')}`);
	const id = list.json.items[0].id;
	const before = Number(sql("SELECT COUNT(*) FROM audit_log WHERE action = 'reveal'")[0][0]);
	const d = await as('dispatcher');
	const r = await d.post(`/api/v1/enterprises/${id}/reveal`, { reason: '回访企业联系人' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.value, '13805712468');
	const audit = sql("SELECT target, reason FROM audit_log WHERE action = 'reveal' ORDER BY id DESC LIMIT 1")[0];
	assert.deepEqual(audit, [`enterprise:${id}:contact_phone`, '回访企业联系人']);
	assert.equal(Number(sql("SELECT COUNT(*) FROM audit_log WHERE action = 'reveal'")[0][0]), before + 1);
	const noReason = await d.post(`/api/v1/enterprises/${id}/reveal`, {});
	expectError(assert, noReason, 400, 'missing_field', 'reason');
	for (const login of ['cangqian', 'jingfa', 'grid1']) {
		const c = await as(login);
		const x = await c.post(`/api/v1/enterprises/${id}/reveal`, { reason: 'x' });
		expectError(assert, x, 403, 'role_not_allowed');
	}
	assert.equal(Number(sql("SELECT COUNT(*) FROM audit_log WHERE action = 'reveal'")[0][0]), before + 1);
});

test('scope: a liaison sees their enterprises only; a community sees those of its area; leaders see all', async () => {
	const admin = await as('admin');
	const r = await admin.post('/api/v1/enterprises', {
		credit_code: TENCENT, name: '杭州鲸范网络科技有限公司', unit_id: unitIds.get('CQ-TYSQ'),
		contact_name: '马化', contact_phone: '13900001234',
	});
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	const liaison = await as('laobao2');
	expectError(assert, await liaison.get(`/api/v1/enterprises/${id}`), 404, 'not_found');
	let mine = await liaison.get(`/api/v1/enterprises?q=${encodeURIComponent('鲸范')}`);
	assert.equal(mine.json.items.length, 0);
	// pair it: a leader and the liaison
	const leader = await as('leader');
	const p = await leader.put(`/api/v1/enterprises/${id}/pairing`, {
		leader_user_id: userIds.get('leader05'), liaison_user_id: userIds.get('laobao2'),
		reason: '结对' });
	assert.equal(p.status, 200, p.text);
	const got = await liaison.get(`/api/v1/enterprises/${id}`);
	assert.equal(got.status, 200, got.text);
	assert.equal(got.json.contact.name, '马化', 'the liaison sees the contact');
	assert.equal(got.json.contact.phone, '139****1234');
	mine = await liaison.get(`/api/v1/enterprises?q=${encodeURIComponent('鲸范')}`);
	assert.deepEqual(mine.json.items.map((e) => e.id), [id]);
	// a community of the area sees it, masked names; another community does not
	const taiyan = await as('taiyan');
	const t = await taiyan.get(`/api/v1/enterprises/${id}`);
	assert.equal(t.status, 200, t.text);
	assert.equal(t.json.contact.name, '马*');
	const cangyi = await as('cangyi');
	expectError(assert, await cangyi.get(`/api/v1/enterprises/${id}`), 404, 'not_found');
	// roles outside the staff cannot read registers at all
	const resident = await as('jumin');
	expectError(assert, await resident.get('/api/v1/enterprises'), 403, 'role_not_allowed');
	// only admin and leaders pair
	expectError(assert, await (await as('dispatcher')).put(`/api/v1/enterprises/${id}/pairing`,
		{ leader_user_id: userIds.get('leader') }), 403, 'role_not_allowed');
	const notLeader = await leader.put(`/api/v1/enterprises/${id}/pairing`,
		{ leader_user_id: userIds.get('jingfa') });
	expectError(assert, notLeader, 400, 'invalid_reference', 'leader_user_id');
});

test('pairing: reassigning keeps the history; the leader page lists enterprises, visits and open orders', async () => {
	const leader = await as('leader');
	const r = await (await as('admin')).post('/api/v1/enterprises', {
		credit_code: HUAWEI, name: '杭州鲸能储能科技有限公司', unit_id: unitIds.get('CQ-CQSQ'),
		leader_user_id: userIds.get('leader06'), liaison_user_id: userIds.get('jingfa2'),
	});
	assert.equal(r.status, 201, r.text);
	const id = r.json.id;
	const p = await leader.put(`/api/v1/enterprises/${id}/pairing`,
		{ leader_user_id: userIds.get('leader07'), reason: '分工调整' });
	assert.equal(p.status, 200, p.text);
	assert.equal(p.json.history.length, 2);
	assert.equal(p.json.history[0].leader.id, userIds.get('leader07'));
	assert.equal(p.json.history[0].current, true);
	assert.equal(p.json.history[0].liaison.id, userIds.get('jingfa2'), 'the liaison stays');
	assert.equal(p.json.history[1].leader.id, userIds.get('leader06'));
	assert.ok(p.json.history[1].ended_at, 'the old pairing ended');
	const again = await leader.get(`/api/v1/enterprises/${id}/pairings`);
	assert.equal(again.json.history.length, 2);

	const l7 = await as('leader07');
	const page = await l7.get('/api/v1/pairing/mine');
	assert.equal(page.status, 200, page.text);
	assert.equal(page.json.as, 'leader');
	const row = page.json.enterprises.find((e) => e.id === id);
	assert.ok(row, 'the new leader sees it on the page');
	assert.equal(row.last_visit_at, null);
	assert.equal(row.visited_this_quarter, false);
	const l6 = await (await as('leader06')).get('/api/v1/pairing/mine');
	assert.ok(!l6.json.enterprises.some((e) => e.id === id), 'the old leader no longer has it');
	const liaisonPage = await (await as('jingfa2')).get('/api/v1/pairing/mine');
	assert.equal(liaisonPage.json.as, 'liaison');
	assert.ok(liaisonPage.json.enterprises.some((e) => e.id === id));
	const cov = await leader.get('/api/v1/pairing/leaders');
	assert.equal(cov.status, 200, cov.text);
	assert.equal(cov.json.leaders.length, 20);
	const c7 = cov.json.leaders.find((x) => x.user_id === userIds.get('leader07'));
	assert.ok(c7.enterprises >= 1);
	expectError(assert, await (await as('cangyi')).get('/api/v1/pairing/leaders'), 403,
		'role_not_allowed');
	expectError(assert, await (await as('cangyi')).get(`/api/v1/pairing/leaders/${userIds.get('leader07')}`),
		403, 'out_of_scope');
});

test('households: a community worker writes and sees only its own; personal data masked and revealed with audit', async () => {
	const cangyi = await as('cangyi');
	const r = await cangyi.post('/api/v1/households', {
		address: '仓溢绿苑99幢1单元1801室', unit_id: unitIds.get('CQ-CYLY'),
		head_name: '李鲸芳', members: 4, phone: '13912345678', id_no: '11010519491231002X',
	});
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.phone, '139****5678');
	assert.equal(r.json.id_no, '1101**********002X');
	assert.equal(r.json.head_name, '李**');
	assert.ok(!r.text.includes('13912345678') && !r.text.includes('19491231'));
	const id = r.json.id;
	const badId = await cangyi.post('/api/v1/households', {
		address: '仓溢绿苑99幢1单元1802室', unit_id: unitIds.get('CQ-CYLY'), id_no: '110105194912310021' });
	expectError(assert, badId, 400, 'invalid_id_no', 'id_no');
	const dup = await cangyi.post('/api/v1/households', {
		address: '仓溢绿苑99幢1单元1801室', unit_id: unitIds.get('CQ-CYLY') });
	expectError(assert, dup, 409, 'duplicate_address', 'address');
	const outside = await cangyi.post('/api/v1/households', {
		address: '仓兴苑99幢1单元101室', unit_id: unitIds.get('CQ-CQSQ') });
	expectError(assert, outside, 403, 'out_of_scope', 'unit_id');

	const other = await as('cangqian');
	expectError(assert, await other.get(`/api/v1/households/${id}`), 404, 'not_found');
	const theirs = await other.get(`/api/v1/households?q=${encodeURIComponent('鲸芳')}`);
	assert.equal(theirs.json.items.length, 0);
	const ours = await cangyi.get(`/api/v1/households?q=${encodeURIComponent('鲸芳')}`);
	assert.deepEqual(ours.json.items.map((h) => h.id), [id]);
	const leader = await as('leader');
	const byId = await leader.get('/api/v1/households?id_no=11010519491231002x');
	assert.ok(byId.json.items.some((h) => h.id === id));
	assert.equal(byId.json.items.find((h) => h.id === id).head_name, '李鲸芳', 'leaders see names');
	const byPhone = await leader.get('/api/v1/households?phone=139-1234-5678');
	assert.ok(byPhone.json.items.some((h) => h.id === id));

	const res = await cangyi.post(`/api/v1/households/${id}/residents`, {
		name: '李小鲸', relation: '子', phone: '13700001111' });
	assert.equal(res.status, 201, res.text);
	assert.equal(res.json.residents[0].phone, '137****1111');
	const viaResident = await leader.get('/api/v1/households?phone=13700001111');
	assert.ok(viaResident.json.items.some((h) => h.id === id), 'found by a resident phone');

	expectError(assert, await cangyi.post(`/api/v1/households/${id}/reveal`, { reason: 'x' }), 403,
		'role_not_allowed');
	const rv = await leader.post(`/api/v1/households/${id}/reveal`, { reason: '核实身份', field: 'id_no' });
	assert.equal(rv.status, 200, rv.text);
	assert.equal(rv.json.value, '11010519491231002X');
	const audit = sql("SELECT target, reason FROM audit_log WHERE action = 'reveal' ORDER BY id DESC LIMIT 1")[0];
	assert.deepEqual(audit, [`household:${id}:id_no`, '核实身份']);
	const rid = res.json.residents[0].id;
	const rr = await leader.post(`/api/v1/residents/${rid}/reveal`, { reason: '联系家属' });
	assert.equal(rr.json.value, '13700001111');
});

test('places and village groups: 200+ groups under their villages; a group is written by its village', async () => {
	const leader = await as('leader');
	const groups = await leader.get('/api/v1/village-groups');
	assert.equal(groups.status, 200, groups.text);
	assert.ok(groups.json.total >= 14);
	const lj = await leader.get(`/api/v1/village-groups?unit_id=${unitIds.get('CQ-LJTC')}`);
	assert.ok(lj.json.items.every((g) => g.village.id === unitIds.get('CQ-LJTC')));
	const v = await as('lianjutang');
	const made = await v.post('/api/v1/village-groups', {
		village_unit_id: unitIds.get('CQ-LJTC'), name: '连具塘村鲸组', code: 'CQ-LJTC-T1',
		leader_name: '沈水根', households: 40, population: 130 });
	assert.equal(made.status, 201, made.text);
	assert.equal(made.json.village.id, unitIds.get('CQ-LJTC'));
	const wrong = await (await as('lingyuan')).post('/api/v1/village-groups', {
		village_unit_id: unitIds.get('CQ-LJTC'), name: '越权组', code: 'CQ-LJTC-T2' });
	expectError(assert, wrong, 403, 'out_of_scope', 'village_unit_id');
	const place = await (await as('admin')).post('/api/v1/places', {
		kind: 'park', name: '鲸测科技园', unit_id: unitIds.get('CQ-CQSQ'),
		grid_unit_id: unitIds.get('CQ-WG2-LED'), floors: 12 });
	assert.equal(place.status, 201, place.text);
	const badKind = await (await as('admin')).post('/api/v1/places', { kind: 'castle', name: 'x' });
	expectError(assert, badKind, 400, 'invalid_field', 'kind');
	const list = await leader.get(`/api/v1/places?q=${encodeURIComponent('鲸测')}`);
	assert.deepEqual(list.json.items.map((p) => p.id), [place.json.id]);
});

const HEADER = '统一社会信用代码,企业名称,行业大类,规上企业,地址,所属社区,联系人,联系电话,包联领导,联系员,标签\r\n';

test('import: a dry run reports every bad row and field and imports nothing', async () => {
	const admin = await as('admin');
	const csv = HEADER +
		`${XIAOMI},杭州鲸米通讯技术有限公司,39,是,"文一西路1号,A座",仓前社区,雷鲸,13811112222,leader08,jingfa,物联网\r\n` +
		'91330100716105852E,坏代码公司,99,也许,地址,不存在社区,张三,12,nobody,,\r\n' +
		`${XIAOMI},同一代码第二行,,,,,,,,,\r\n` +
		'9144030071526726XG,少列公司,65\r\n';
	const before = sql('SELECT COUNT(*) FROM enterprises')[0][0];
	const r = await admin.post('/api/v1/enterprises/import?dry_run=1', gbk(csv),
		{ raw: true, headers: csvHeaders });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.dry_run, true);
	assert.equal(r.json.encoding, 'gb18030');
	assert.equal(r.json.ok, false);
	assert.equal(r.json.rows, 4);
	const at = (row, field) => r.json.errors.find((e) => e.row === row && e.field === field);
	assert.ok(at(3, 'credit_code'), 'bad check character on row 3');
	assert.match(at(3, 'credit_code').message, /should be F/);
	assert.equal(at(3, 'credit_code').column, '统一社会信用代码');
	assert.ok(at(3, 'industry_division'));
	assert.ok(at(3, 'above_scale'));
	assert.ok(at(3, 'unit'));
	assert.ok(at(3, 'contact_phone'));
	assert.ok(at(3, 'leader'));
	assert.equal(at(4, 'credit_code').code, 'duplicate_credit_code');
	assert.match(at(4, 'credit_code').message, /row 2/);
	assert.ok(r.json.errors.some((e) => e.row === 5 && e.code === 'wrong_column_count'));
	assert.equal(sql('SELECT COUNT(*) FROM enterprises')[0][0], before);

	// the real run of the same file: 400 naming the first row and field, nothing written
	const real = await admin.post('/api/v1/enterprises/import', gbk(csv), { raw: true, headers: csvHeaders });
	expectError(assert, real, 400, 'invalid_rows', 'credit_code');
	assert.match(real.json.error.message, /row 3/);
	assert.ok(real.json.report.errors.length >= 8);
	assert.equal(sql('SELECT COUNT(*) FROM enterprises')[0][0], before);
	assert.equal(sql(`SELECT COUNT(*) FROM enterprises WHERE credit_code = '${XIAOMI}'`)[0][0], '0',
		'the good row was not half-imported');
});

test('import: broken quotes, undecodable bytes, a missing column and an oversized file are clear 4xx', async () => {
	const admin = await as('admin');
	const quotes = HEADER + `${XIAOMI},"鲸米,13811112222\r\n`;
	const q = await admin.post('/api/v1/enterprises/import', quotes, { raw: true, headers: csvHeaders });
	expectError(assert, q, 400, 'csv_quote');
	assert.match(q.json.error.message, /row 2/);
	const inner = HEADER + `${XIAOMI},鲸"米,39,是,,,,,,,\r\n`;
	const qi = await admin.post('/api/v1/enterprises/import?dry_run=1', inner, { raw: true, headers: csvHeaders });
	assert.equal(qi.json.errors[0].code, 'csv_quote');
	assert.equal(qi.json.errors[0].row, 2);
	// a file that says UTF-8 (BOM) but is not
	const bad = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(HEADER, 'utf8'),
		Buffer.from([0xff, 0xfe, 0x0a])]);
	const u = await admin.post('/api/v1/enterprises/import', bad, { raw: true, headers: csvHeaders });
	expectError(assert, u, 400, 'undecodable_text', 'file');
	assert.match(u.json.error.message, /line 2/);
	const missing = await admin.post('/api/v1/enterprises/import', '企业名称,地址\r\n鲸,x\r\n',
		{ raw: true, headers: csvHeaders });
	expectError(assert, missing, 400, 'missing_column');
	const unknown = await admin.post('/api/v1/enterprises/import', HEADER.trim() + ',鲸列\r\n',
		{ raw: true, headers: csvHeaders });
	expectError(assert, unknown, 400, 'unknown_column');
	const huge = Buffer.alloc(9 << 20, 0x41);
	const big = await admin.post('/api/v1/enterprises/import', huge, { raw: true, headers: csvHeaders });
	assert.equal(big.status, 413, big.text);
	const multipart = await admin.post('/api/v1/enterprises/import', '--x\r\n',
		{ raw: true, headers: { 'Content-Type': 'multipart/form-data; boundary=x' } });
	expectError(assert, multipart, 415, 'unsupported_media_type');
	const community = await (await as('cangyi')).post('/api/v1/enterprises/import', HEADER,
		{ raw: true, headers: csvHeaders });
	expectError(assert, community, 403, 'role_not_allowed');
});

test('import: a good file (UTF-8 with BOM) inserts, the same file again updates, in one transaction', async () => {
	const admin = await as('admin');
	const csv = '\ufeff' + HEADER +
		`${XIAOMI},杭州鲸米通讯技术有限公司,39,是,"文一西路1号,A座",仓前社区,雷鲸,13811112222,leader08,jingfa,"物联网,手机"\r\n` +
		`${CNPC},杭州鲸油能源有限公司,44,否,良睦路2号,CQ-TYSQ,,,,,\r\n`;
	const r = await admin.post('/api/v1/enterprises/import', csv, { raw: true, headers: csvHeaders });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.encoding, 'utf-8-bom');
	assert.equal(r.json.inserted, 2);
	assert.equal(r.json.updated, 0);
	const found = await admin.get(`/api/v1/enterprises?q=${XIAOMI}`);
	const e = found.json.items[0];
	assert.equal(e.name, '杭州鲸米通讯技术有限公司');
	assert.equal(e.address, '文一西路1号,A座');
	assert.equal(e.contact.phone, '138****2222');
	assert.equal(e.leader.id, userIds.get('leader08'));
	assert.equal(e.liaison.id, userIds.get('jingfa'));
	assert.deepEqual(e.tags, ['物联网', '手机']);
	assert.equal(e.unit.id, unitIds.get('CQ-CQSQ'));
	const again = await admin.post('/api/v1/enterprises/import',
		csv.replace('杭州鲸米通讯技术有限公司', '杭州鲸米通讯技术股份有限公司'), { raw: true, headers: csvHeaders });
	assert.equal(again.status, 200, again.text);
	assert.equal(again.json.inserted, 0);
	assert.equal(again.json.updated, 2);
	const upd = await admin.get(`/api/v1/enterprises/${e.id}`);
	assert.equal(upd.json.name, '杭州鲸米通讯技术股份有限公司');
	assert.equal(sql("SELECT COUNT(*) FROM audit_log WHERE action = 'import'")[0][0] >= '2', true);
});

test('export: CSV for Excel (BOM, masked phones) and .xlsx, within the scope of who asks; re-importable', async () => {
	const admin = await as('admin');
	const csv = await admin.get('/api/v1/enterprises/export');
	assert.equal(csv.status, 200);
	assert.match(csv.headers.get('content-type'), /text\/csv/);
	assert.match(csv.headers.get('content-disposition'), /attachment; filename="enterprises-/);
	// fetch's text() drops the byte order mark; Excel needs it, so look at the bytes
	assert.ok(csv.text.startsWith('编号,统一社会信用代码,企业名称'), csv.text.slice(0, 80));
	const cookie = [...admin.jar].map(([k, v]) => `${k}=${v}`).join('; ');
	const raw = Buffer.from(await (await fetch(`${srv.url}/api/v1/enterprises/export`,
		{ headers: { Cookie: cookie } })).arrayBuffer());
	assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
	assert.ok(csv.text.includes('138****2222'));
	assert.ok(!csv.text.includes('13811112222'), 'a clear phone in the export');
	const dry = await admin.post('/api/v1/enterprises/import?dry_run=1', csv.text,
		{ raw: true, headers: csvHeaders });
	assert.equal(dry.status, 200, dry.text);
	assert.equal(dry.json.ok, true, JSON.stringify(dry.json.errors.slice(0, 3)) + csv.text.slice(0, 600));
	assert.equal(dry.json.inserted, 0);
	const res = await fetch(`${srv.url}/api/v1/enterprises/export?format=xlsx`, {
		headers: { Cookie: cookie } });
	assert.equal(res.status, 200);
	assert.match(res.headers.get('content-type'), /spreadsheetml/);
	const bytes = Buffer.from(await res.arrayBuffer());
	assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
	// a liaison's export holds only their enterprises
	const mine = await (await as('laobao2')).get('/api/v1/enterprises/export');
	const lines = mine.text.trim().split('\r\n');
	assert.ok(lines.length >= 2 && lines.slice(1).every((l) => l.includes('鲸范') || !l.includes('鲸')),
		mine.text.slice(0, 300));
	const hh = await (await as('cangqian')).get('/api/v1/households/export');
	assert.ok(!hh.text.includes('仓溢绿苑99幢'), 'another community in the export');
});

test('CLI: sanfu import enterprises FILE --dry-run and sanfu export enterprises FILE.xlsx', async () => {
	const file = path.join(srv.dir, 'e.csv');
	writeFileSync(file, gbk(HEADER + `${HUAWEI},杭州鲸能储能科技有限公司,38,是,,,,,,,\r\n` +
		'91330100716105852E,坏,,,,,,,,,\r\n'));
	let r = await srv.sanfu('import', 'enterprises', file, '--dry-run');
	assert.equal(r.code, 1, r.stdout + r.stderr);
	assert.match(r.stdout, /dry run: .*2 rows/);
	assert.match(r.stderr, /row 3/);
	r = await srv.sanfu('import', 'enterprises', file, '--dry-run', '--json');
	const rep = JSON.parse(r.stdout);
	assert.equal(rep.errors[0].row, 3);
	writeFileSync(file, HEADER + `${HUAWEI},杭州鲸能储能科技有限公司,38,是,,,,,,,\r\n`);
	r = await srv.sanfu('import', 'enterprises', file);
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, /1 updated/);
	const out = path.join(srv.dir, 'e.xlsx');
	r = await srv.sanfu('export', 'enterprises', out);
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, /exported \d+ enterprises/);
	r = await srv.sanfu('export', 'enterprises', path.join(srv.dir, 'e.txt'));
	assert.equal(r.code, 2);
});

test('households import: village groups resolved under their village; a community imports only its area', async () => {
	const admin = await as('admin');
	const head = '地址,社区/村,村民小组,户主,人数,联系电话,身份证号\r\n';
	const good = head + '连具塘村一组鲸1号,连具塘村,连具塘村一组,沈鲸根,3,13500001111,330110199003071230\r\n';
	const r = await admin.post('/api/v1/households/import', good, { raw: true, headers: csvHeaders });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.inserted, 1);
	const wrongGroup = head + '灵源村鲸2号,灵源村,连具塘村一组,,,,\r\n';
	const w = await admin.post('/api/v1/households/import?dry_run=1', wrongGroup, { raw: true, headers: csvHeaders });
	assert.ok(w.json.errors.some((e) => e.row === 2 && e.field === 'group'), w.text);
	const badId = head + '连具塘村一组鲸3号,连具塘村,,,,,330110199003071231\r\n';
	const b = await admin.post('/api/v1/households/import?dry_run=1', badId, { raw: true, headers: csvHeaders });
	const e = b.json.errors.find((x) => x.field === 'id_no');
	assert.ok(e, b.text);
	assert.ok(!e.message.includes('330110199003071231'), 'an ID number echoed into the report');
	const cangyi = await as('cangyi');
	const out = await cangyi.post('/api/v1/households/import', head + '仓兴苑鲸1号,仓前社区,,,,,\r\n',
		{ raw: true, headers: csvHeaders });
	expectError(assert, out, 400, 'out_of_scope', 'unit');
});
