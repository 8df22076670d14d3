// The registers, visits, hazards and pairing screens in a real browser
// (Debian's chromium, headless) against the real server on a temporary
// database with the demo seed: a grid worker records a visit on a phone,
// a community worker sees only their community's households, a CSV import
// is checked (dry run) before it writes, an export downloads a .xlsx, a
// hazard is rectified by one person and verified by another, and pairing
// and campaigns show what the API says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PASSWORD, apiGet, signIn, withShots } from './browser.mjs';
import { stage, tag } from './stage.mjs';

const st = stage({ seed: true });
const { people, unitId } = st;
let dispatcherApi;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');

before(async () => {
	await st.start();
	({ dispatcherApi } = st);
});
after(() => st.stop());

const sideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('a grid worker on a phone records a visit with a checklist, a hazard and a problem that becomes a linked order', async (t) => {
	const [p] = await people({ name: 'grid-visit', viewport: { width: 390, height: 844 } });
	await withShots(t.name, [p], async () => {
		const page = p.page;
		const mark = tag();
		await signIn(p, 'grid1');
		await page.locator('[data-nav=visits]').click();
		await page.getByTestId('new-visit').click();
		await page.locator('h1', { hasText: '记录走访' }).waitFor();

		// The target, picked by search: the park of the grid worker's workstation.
		await page.locator('label.tile', { hasText: '楼宇/场所' }).click();
		await page.getByLabel('查找走访对象').fill('未来研创');
		await page.getByTestId('target-find').click();
		await page.locator('button.pick', { hasText: '未来研创园' }).click();
		await page.getByTestId('visit-target').filter({ hasText: '未来研创园' }).waitFor();
		await page.locator('label.tile', { hasText: '现场' }).click();
		await page.getByLabel('同行人员').fill('园区物业消防主管');

		// One checklist of the fire-safety line (多线融合: the others stay off).
		const fire = page.locator('fieldset.checklist[data-template=fire_highrise]');
		await fire.getByLabel('填写高层消防清单').check();
		await fire.locator('fieldset', { hasText: '消防通道、安全出口畅通' }).getByLabel('否').check();
		await fire.locator('fieldset', { hasText: '烟感、喷淋系统正常' }).getByLabel('是').check();
		await fire.getByLabel('本季度消防演练').selectOption('未演练');
		await page.getByLabel('走访情况', { exact: true }).fill(`园区3号楼消防检查。${mark}`);

		// A hazard with its photo; its deadline is shown before saving.
		await page.getByTestId('add-hazard').click();
		const hz = page.locator('[data-hazard="0"]');
		await hz.getByLabel('隐患类型').selectOption('fire');
		await hz.getByLabel('重大').check();
		await hz.getByLabel('隐患描述').fill(`3号楼疏散楼梯间堆放纸箱，防火门被卡住常开。${mark}`);
		await hz.getByTestId('haz-deadline').filter({ hasText: '3 个工作日' }).waitFor();
		await hz.getByLabel('照片').setInputFiles({ name: 'stairs.png', mimeType: 'image/png', buffer: PNG });

		// A problem raised on the spot: it becomes a work order on saving.
		await page.getByTestId('add-problem').click();
		const pr = page.locator('[data-problem="0"]');
		await pr.getByLabel('标题').fill(`楼梯间堆物需清理 ${mark}`);
		await pr.getByLabel('类别').selectOption('fire_hazard');
		await pr.getByLabel('诉求内容').fill(`3号楼疏散楼梯间堆放大量纸箱，需督促物业清理。${mark}`);
		await pr.getByLabel('关联隐患').selectOption('0');

		// A phone-sized form: nothing scrolls sideways, the button is big enough.
		assert.ok(await sideways(page) <= 0, 'the visit form scrolls sideways on a phone');
		const box = await page.getByTestId('visit-save').boundingBox();
		assert.ok(box.height >= 44, `the save button is too small to tap: ${box.height}px`);
		const tile = await page.locator('label.tile').first().boundingBox();
		assert.ok(tile.height >= 44, `the choice tiles are too small to tap: ${tile.height}px`);

		// The session ends on the street: the login comes back, and after it
		// the form with everything typed (the photo is chosen again).
		await p.context.clearCookies();
		await page.getByTestId('visit-save').click();
		await page.getByTestId('expired').waitFor();
		await page.locator('input[name=login]').fill('grid1');
		await page.locator('input[name=password]').fill(PASSWORD);
		await page.locator('form.login-form button[type=submit]').click();
		await page.getByTestId('visit-target').filter({ hasText: '未来研创园' }).waitFor();
		assert.equal(await page.locator('[data-problem="0"]').getByLabel('标题').inputValue(), `楼梯间堆物需清理 ${mark}`);
		assert.equal(await page.locator('[data-hazard="0"]').getByLabel('重大').isChecked(), true);
		assert.equal(await page.locator('input[name=method][value=site]').isChecked(), true);
		assert.equal(await page.locator('fieldset.checklist[data-template=fire_highrise]').getByLabel('本季度消防演练').inputValue(), '未演练');
		await page.locator('[data-hazard="0"]').getByLabel('照片').setInputFiles({ name: 'stairs.png', mimeType: 'image/png', buffer: PNG });

		await page.getByTestId('visit-save').click();
		const saved = page.getByTestId('visit-saved');
		await saved.waitFor();
		const visitId = Number(await saved.getAttribute('data-id'));
		const orderLink = page.getByTestId('visit-order');
		assert.equal(await orderLink.count(), 1);
		const code = (await orderLink.locator('.code').textContent()).trim();
		assert.match(code, /^SF\d{8}-\d{4}$/);

		// The problem is a work order linked to the visit, both ways.
		await orderLink.click();
		await page.locator('article.order').waitFor();
		assert.equal((await page.locator('article.order h1 .code').textContent()).trim(), code);
		const back = page.getByTestId('order-visit');
		await back.waitFor();
		assert.equal(await back.getAttribute('href'), `#/visits/${visitId}`);
		const orderId = Number(await page.locator('article.order').getAttribute('data-id'));
		const linked = await apiGet(p, `/api/v1/visits?order_id=${orderId}`);
		assert.equal(linked.json.items[0].id, visitId);

		await back.click();
		await page.locator(`article.visit[data-id="${visitId}"]`).waitFor();
		assert.match(await page.locator('[data-template=fire_highrise]').textContent(), /消防通道、安全出口畅通否/);
		assert.match(await page.getByTestId('visit-orders').textContent(), new RegExp(code));
		const v = (await apiGet(p, `/api/v1/visits/${visitId}`)).json;
		assert.equal(v.method, 'site');
		assert.deepEqual(v.checks.map((c) => c.template), ['fire_highrise']);
		assert.equal(v.checks[0].answers.exits_clear, false);
		assert.equal(v.hazard_list.length, 1);
		assert.equal(v.hazard_list[0].severity, 'major');
		assert.equal(v.hazard_list[0].has_photo, true, 'the hazard photo was uploaded');
		assert.equal(v.hazard_list[0].order_id, orderId, 'the order is about the hazard');
		assert.ok(await sideways(page) <= 0, 'the visit page scrolls sideways on a phone');

		// The visits list has it, and the hazard's page shows the photo.
		await page.goto(`/#/hazards/${v.hazard_list[0].id}`);
		await page.locator('.hazard-photo img').waitFor();
		const ok = await page.locator('.hazard-photo img').evaluate((img) => img.complete && img.naturalWidth > 0);
		assert.ok(ok, 'the hazard photo shows');
	});
});

test('a community worker sees only their community\'s households', async (t) => {
	const [p] = await people('cangyi-hh');
	await withShots(t.name, [p], async () => {
		const page = p.page;
		await signIn(p, 'cangyi');
		await page.locator('[data-nav=registers]').click();
		await page.locator('[data-register=households]').click();
		const status = page.locator('section[data-reg=households] p.status').filter({ hasText: /共 \d+ 条/ });
		await status.waitFor();
		const shown = Number(/共 (\d+) 条/.exec(await status.textContent())[1]);
		const mine = await apiGet(p, '/api/v1/households?count=1&limit=1');
		const all = await dispatcherApi.get('/api/v1/households?count=1&limit=1');
		assert.equal(shown, mine.json.total);
		assert.ok(shown > 0 && shown < all.json.total, `${shown} of ${all.json.total}`);
		const areas = await page.locator('tbody td[data-label="所在社区/网格"]').allTextContents();
		assert.ok(areas.length > 0);
		for (const a of areas) assert.match(a, /^仓溢绿苑社区/);

		// Search with a two-character Chinese term.
		await page.getByTestId('reg-search').fill('3幢');
		await page.getByTestId('reg-search').press('Enter');
		await page.locator('section.registers[data-q="3幢"] p.status').filter({ hasText: /共 \d+ 条/ }).waitFor();
		const addrs = await page.locator('tbody td[data-label="地址"]').allTextContents();
		assert.ok(addrs.length > 0);
		for (const a of addrs) assert.match(a, /3幢/);

		// Another community's household, by URL: not found.
		const taiyan = await unitId('community', '太炎社区');
		const other = await dispatcherApi.get(`/api/v1/households?unit_id=${taiyan}&limit=1`);
		const otherId = other.json.items[0].id;
		await page.goto(`/#/registers/households/${otherId}`);
		await page.getByTestId('not-found').waitFor();
		assert.equal(await page.locator('article.record').count(), 0);
		assert.doesNotMatch(await page.locator('main').textContent(), new RegExp(other.json.items[0].address));

		// Their own household: the page, with the head's name masked.
		const own = (await apiGet(p, '/api/v1/households?limit=1')).json.items[0];
		await page.goto(`/#/registers/households/${own.id}`);
		await page.locator(`article.record[data-id="${own.id}"]`).waitFor();
		assert.equal(await page.locator('[data-reveal]').count(), 0, 'a community worker is offered no reveal');
		assert.match(await page.getByTestId('hh-head').textContent(), /^\S\*+$|^—$/);
	});
});

test('a CSV import is checked first: the dry run shows the bad row and field and imports nothing', async (t) => {
	const [p] = await people('importer');
	await withShots(t.name, [p], async () => {
		const page = p.page;
		const mark = tag();
		await signIn(p, 'cangyi');
		await page.goto('/#/registers?r=households');
		await page.getByTestId('reg-import').click();
		await page.locator('h1', { hasText: '导入台账' }).waitFor();
		const head = '地址,社区/村,户主,人数,联系电话\r\n';
		const bad = `${head}仓溢绿苑${mark}1幢101室,仓溢绿苑社区,周建国,3,13800001111\r\n`
			+ `仓溢绿苑${mark}1幢102室,仓溢绿苑社区,吴丽华,三口,13800002222\r\n`
			+ `仓溢绿苑${mark}1幢103室,仓溢绿苑社区,郑海,2,\r\n`;
		await page.getByTestId('imp-file').setInputFiles({ name: 'households.csv', mimeType: 'text/csv', buffer: Buffer.from(`\ufeff${bad}`) });
		await page.getByTestId('imp-check').click();
		const report = page.getByTestId('dry-run-report');
		await report.waitFor();
		assert.equal(await report.getAttribute('data-ok'), '0');
		const row = report.locator('tr[data-row="3"][data-field="members"]');
		await row.waitFor();
		assert.match(await row.textContent(), /人数/);
		assert.equal(await report.locator('tbody tr').count(), 1, 'only the bad field is reported');
		assert.equal(await page.getByTestId('imp-go').isDisabled(), true, 'no import after a failed check');
		let found = await apiGet(p, `/api/v1/households?q=${encodeURIComponent(mark)}`);
		assert.equal(found.json.items.length, 0, 'the dry run wrote nothing');

		// The corrected file: a clean check, then the real import.
		const good = bad.replace(',三口,', ',3,');
		await page.getByTestId('imp-file').setInputFiles({ name: 'households.csv', mimeType: 'text/csv', buffer: Buffer.from(`\ufeff${good}`) });
		assert.equal(await page.getByTestId('imp-go').isDisabled(), true, 'a new file needs a new check');
		await page.getByTestId('imp-check').click();
		await page.locator('[data-testid=dry-run-report][data-ok="1"]').waitFor();
		assert.equal(await page.getByTestId('imp-inserted').textContent(), '3');
		found = await apiGet(p, `/api/v1/households?q=${encodeURIComponent(mark)}`);
		assert.equal(found.json.items.length, 0, 'a clean dry run writes nothing either');
		await page.getByTestId('imp-go').click();
		const done = page.getByTestId('import-report');
		await done.waitFor();
		assert.equal(await done.getAttribute('data-ok'), '1');
		assert.equal(await done.getByTestId('imp-inserted').textContent(), '3');
		found = await apiGet(p, `/api/v1/households?q=${encodeURIComponent(mark)}`);
		assert.equal(found.json.items.length, 3);
		await page.getByTestId('imp-back').click();
		await page.getByTestId('reg-search').fill(mark);
		await page.getByTestId('reg-search').press('Enter');
		await page.locator(`section.registers[data-q="${mark}"] p.status`, { hasText: '共 3 条' }).waitFor();
	});
});

test('an export of the register downloads an .xlsx file', async (t) => {
	const [p] = await people({ name: 'exporter', downloads: true });
	await withShots(t.name, [p], async () => {
		const page = p.page;
		await signIn(p, 'dispatcher');
		await page.goto('/#/registers?r=enterprises&above_scale=1');
		await page.locator('p.status').filter({ hasText: /共 \d+ 条/ }).waitFor();
		const href = await page.getByTestId('export-xlsx').getAttribute('href');
		assert.match(href, /\/api\/v1\/enterprises\/export\?.*above_scale=1.*format=xlsx|format=xlsx.*above_scale=1/);
		const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()]);
		assert.match(dl.suggestedFilename(), /\.xlsx$/);
		const file = await dl.path();
		const bytes = readFileSync(file);
		assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an .xlsx is a zip file');
		assert.ok(bytes.length > 2000, `an .xlsx of ${bytes.length} bytes`);
		const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
		assert.match(csv.suggestedFilename(), /\.csv$/);
		const text = readFileSync(await csv.path(), 'utf8');
		assert.match(text, /^\ufeff/);
		assert.doesNotMatch(text, /1[3-9]\d{9}/, 'phones are masked in the export');
	});
});

test('a hazard is rectified by one person and verified by another; the same person is refused', async (t) => {
	const [disp, lead] = await people('rectifier', 'verifier');
	await withShots(t.name, [disp, lead], async () => {
		const open = await dispatcherApi.get('/api/v1/hazards?state=open&limit=50');
		const hz = open.json.items[open.json.items.length - 1];
		assert.ok(hz, 'an open hazard in the seed');
		const page = disp.page;
		await signIn(disp, 'dispatcher');
		await page.locator('[data-nav=hazards]').click();
		await page.locator('h1', { hasText: '隐患' }).waitFor();
		const row = page.locator(`tbody tr[data-id="${hz.id}"]`);
		await row.waitFor();
		await row.locator('[data-mark]:not([data-mark=pending])').first().waitFor();
		assert.match(await row.textContent(), /已超期|剩 \d+ 个工作日/, 'the deadline mark shows working days');
		await row.locator('a').first().click();
		await page.locator(`article.hazard[data-id="${hz.id}"][data-state=open]`).waitFor();

		const rect = page.locator('form[data-action=rectify]');
		await rect.getByLabel('整改情况').fill('已联系业主清理，设置警示标志。');
		await rect.getByRole('button', { name: '登记整改' }).click();
		await page.locator(`article.hazard[data-id="${hz.id}"][data-state=rectified]`).waitFor();

		// The same person may not verify it: the API's refusal, plainly.
		await page.getByTestId('same-person-note').waitFor();
		await page.locator('form[data-action=verify]').getByRole('button', { name: '验收' }).click();
		const err = page.getByTestId('hazard-error');
		await err.filter({ hasText: '整改人和验收人不能是同一人' }).waitFor();
		assert.equal(await err.getAttribute('data-code'), 'same_person');
		assert.equal((await dispatcherApi.get(`/api/v1/hazards/${hz.id}`)).json.state, 'rectified');

		// A leader verifies it.
		await signIn(lead, 'leader');
		await lead.page.goto(`/#/hazards/${hz.id}`);
		await lead.page.locator(`article.hazard[data-state=rectified]`).waitFor();
		assert.equal(await lead.page.getByTestId('same-person-note').count(), 0);
		const ver = lead.page.locator('form[data-action=verify]');
		await ver.getByLabel('通过', { exact: true }).check();
		await ver.getByLabel('验收意见').fill('现场复查，整改到位。');
		await ver.getByRole('button', { name: '验收' }).click();
		await lead.page.locator(`article.hazard[data-id="${hz.id}"][data-state=verified]`).waitFor();
		const after = (await dispatcherApi.get(`/api/v1/hazards/${hz.id}`)).json;
		assert.equal(after.rectified_by.name, '林悦');
		assert.equal(after.verified_by.name, '沈建华');
	});
});

test('a leader\'s pairing page highlights the enterprises not visited this quarter; an admin reassigns a pairing with history', async (t) => {
	const [lead, admin] = await people('pair-leader', 'pair-admin');
	await withShots(t.name, [lead, admin], async () => {
		await signIn(lead, 'leader');
		await lead.page.locator('[data-nav=pairing]').click();
		await lead.page.locator('h1', { hasText: '结对走访' }).waitFor();
		await lead.page.locator('[data-tab=mine]').click();
		await lead.page.locator('h1', { hasText: '沈建华 · 结对企业' }).waitFor();
		const mine = (await apiGet(lead, '/api/v1/pairing/mine')).json;
		assert.equal(await lead.page.locator('tr[data-visited]').count(), mine.enterprises.length);
		const unvisited = lead.page.locator('tr.row-warned[data-visited="0"]');
		assert.equal(await unvisited.count(), mine.summary.not_visited);
		assert.ok(mine.summary.not_visited > 0);
		assert.match(await unvisited.first().textContent(), /本季度未走访/);

		// The admin moves one of them to another leader; the history keeps both.
		const ent = mine.enterprises.find((e) => !e.visited_this_quarter);
		await signIn(admin, 'admin');
		await admin.page.goto(`/#/registers/enterprises/${ent.id}`);
		const form = admin.page.getByTestId('reassign');
		await admin.page.locator('details.reassign-box summary').click();
		await form.getByLabel('联系领导').selectOption({ label: '陈立峰 · 党工委副书记、办事处主任' });
		await form.getByLabel('调整原因').fill('班子分工调整');
		await form.getByRole('button', { name: '保存结对' }).click();
		await admin.page.getByTestId('pair-leader').filter({ hasText: '陈立峰' }).waitFor();
		const rows = admin.page.locator('[data-testid=pair-history] tbody tr');
		assert.equal(await rows.count(), 2);
		assert.match(await rows.first().textContent(), /陈立峰.*当前.*班子分工调整/);
		assert.match(await rows.nth(1).textContent(), /沈建华/);
		const hist = (await dispatcherApi.get(`/api/v1/enterprises/${ent.id}/pairings`)).json;
		assert.equal(hist.history.length, 2);
		assert.equal(hist.leader.name, '陈立峰');

		// Only admin and leaders are offered the reassignment.
		await lead.page.goto(`/#/registers/enterprises/${ent.id}`);
		await lead.page.getByTestId('pairing').waitFor();
		const dispP = (await people('pair-disp'))[0];
		await signIn(dispP, 'dispatcher');
		await dispP.page.goto(`/#/registers/enterprises/${ent.id}`);
		await dispP.page.getByTestId('pair-history').waitFor();
		assert.equal(await dispP.page.getByTestId('reassign').count(), 0, 'a dispatcher may not reassign');
	});
});

test('campaigns: an admin starts one and its page shows coverage; the dashboard shows the visits\' headline figures', async (t) => {
	const [p] = await people('campaigner');
	await withShots(t.name, [p], async () => {
		const page = p.page;
		const mark = tag();
		await signIn(p, 'admin');
		await page.goto('/#/campaigns');
		await page.getByTestId('new-campaign').click();
		await page.getByLabel('活动名称').fill(`仓溢绿苑冬季走访 ${mark}`);
		await page.getByLabel('主题').fill('民情大排摸');
		await page.getByLabel('对象类型').selectOption('household');
		await page.getByLabel('结束日期').fill('2026-12-31');
		await page.getByLabel('民情大排摸', { exact: true }).check();
		await page.getByLabel('走访对象范围').selectOption({ label: '仓溢绿苑社区' });
		await page.getByLabel('倪秀英 · 社区/村').check();
		await page.getByRole('button', { name: '创建活动' }).click();
		await page.locator('article.campaign h1', { hasText: mark }).waitFor();
		const id = Number(await page.locator('article.campaign').getAttribute('data-id'));
		const c = (await apiGet(p, `/api/v1/campaigns/${id}`)).json;
		assert.ok(c.targets > 0);
		assert.equal(await page.getByTestId('camp-targets').locator('.value').textContent(), String(c.in_scope.targets));
		await page.locator('[data-tab="0"]').click();
		await page.locator('tr[data-visited="0"]').first().waitFor();
		assert.equal(await page.locator('tr[data-visited="1"]').count(), 0);

		await page.locator('[data-nav=dashboard]').click();
		const fig = page.getByTestId('fig-visited');
		await fig.waitFor();
		const s = (await apiGet(p, '/api/v1/visits/stats')).json;
		assert.equal(await fig.locator('.value').textContent(), String(s.households_visited));
		assert.equal(await page.getByTestId('fig-problems-solved').locator('.value').textContent(), String(s.problems_solved));
		assert.ok(s.households_visited >= 300 && s.problems_solved >= 50, JSON.stringify(s));
	});
});
