// End-to-end journeys in a real browser (Debian's chromium, headless)
// against the real server on a temporary database with the demo seed:
// the people of data/demo (password Sanfu2026) do their work through the
// console and the portal exactly as they would by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { client, startServer } from '../api/lib.mjs';
import { PASSWORD, act, apiGet, person, shownActions, signIn, withShots } from './browser.mjs';
import { stage, tag } from './stage.mjs';

const st = stage({ seed: true, args: ['--public-rate', '1000'] });
const { cleanup, people, unitId } = st;
let srv;
let browser;
let dispatcherApi;

before(async () => {
	await st.start();
	({ srv, browser, dispatcherApi } = st);
});
after(() => st.stop());

// The order page's action buttons are exactly what the API allows now.
async function sameActions(p, id) {
	const r = await apiGet(p, `/api/v1/orders/${id}`);
	assert.equal(r.status, 200);
	assert.deepEqual(await shownActions(p.page), [...r.json.actions].sort(),
		`buttons on the page differ from the API's actions for ${p.name}`);
	return r.json;
}

test('journey 1: a phone complaint is recorded, assigned, resolved, called back and rated on the portal', async (t) => {
	const [disp, dept, cadre, resident] = await people('dispatcher', 'chengjian2', 'cangyi', 'resident');
	await withShots(t.name, [disp, dept, cadre, resident], async () => {
		const mark = tag();
		const page = disp.page;
		await signIn(disp, 'dispatcher');
		assert.equal(await page.getByTestId('me-name').textContent(), '林悦');

		// The intake form: a returning caller is found by phone, shown masked.
		await page.goto('/#/new');
		await page.getByLabel('联系电话').fill('13857103318');
		await page.getByRole('button', { name: '查找' }).click();
		await page.getByTestId('returning').waitFor();
		const history = await page.locator('.history').textContent();
		assert.match(history, /138\*\*\*\*3318/);
		assert.doesNotMatch(history, /13857103318/, 'the phone must be shown masked');

		// A new caller: fill the form; the deadline is shown before saving.
		await page.getByLabel('联系电话').fill('13905710000');
		await page.getByLabel('姓名').fill('张晓梅');
		await page.getByLabel('类别').selectOption('street_light');
		await page.getByLabel('保存后自动受理并分派').uncheck();
		await page.getByTestId('deadline-preview').filter({ hasText: '受理期限' }).waitFor();
		await page.getByLabel('标题').fill(`余杭塘路路灯不亮 ${mark}`);
		await page.getByLabel('诉求内容').fill(`余杭塘路与文一西路口往东三盏路灯连续三晚不亮，夜间行人多，存在安全隐患。${mark}`);
		await page.getByLabel('地点', { exact: true }).fill('余杭塘路文一西路口');
		await page.getByLabel('发生地（社区/村）').selectOption({ label: '仓溢绿苑社区' });
		await page.getByRole('button', { name: '保存工单' }).click();

		// The caller gets a tracking code and secret to follow it online.
		await page.locator('[data-testid=intake-saved], article.order').first().waitFor();
		const saved = page.getByTestId('intake-saved');
		let trackUrl = null;
		if (await saved.count()) {
			trackUrl = await page.getByTestId('track-link').getAttribute('href');
			await page.getByTestId('open-order').click();
		}
		await page.locator('article.order[data-state="submitted"]').waitFor();
		const id = Number(await page.locator('article.order').getAttribute('data-id'));
		const code = (await page.locator('article.order h1 .code').textContent()).trim();
		let o = await sameActions(disp, id);
		assert.equal(o.requester.phone, '139****0000');
		assert.equal(o.channel, 'phone');

		// Quick action from the inbox: accept without opening the order.
		await page.goto(`/#/inbox?bucket=submitted&q=${encodeURIComponent(mark)}`);
		const row = page.locator(`tr[data-code="${code}"]`);
		await row.getByRole('button', { name: '快捷操作' }).click();
		await row.locator('button[data-action=accept]').click();
		await page.locator(`tr[data-code="${code}"] [data-state=accepted]`).waitFor();

		// Assign with the department picker.
		await page.goto(`/#/orders/${id}`);
		await page.locator('article.order[data-state="accepted"]').waitFor();
		await sameActions(disp, id);
		await act(disp, 'assign', (f) => f.getByLabel('承办单位').selectOption({ label: '城建办' }), 'assigned');
		o = await sameActions(disp, id);
		assert.equal(o.dept.name, '城建办');

		// The department finds it in its inbox, works on it and resolves it.
		await signIn(dept, 'chengjian2');
		await dept.page.getByTestId('search').fill(mark);
		await dept.page.getByTestId('search').press('Enter');
		await dept.page.locator(`tr[data-code="${code}"] a`).first().click();
		await dept.page.locator('article.order[data-state="assigned"]').waitFor();
		const masked = await dept.page.getByTestId('requester-name').textContent();
		assert.equal(masked, '张**', 'department staff see the requester masked');
		await sameActions(dept, id);
		await act(dept, 'start', null, 'in_progress');
		await act(dept, 'note', async (f) => {
			await f.getByLabel('备注内容').fill('内部：需与供电所协调更换线路');
			await f.getByLabel('内部备注').check();
		});
		await dept.page.locator('li.event.internal[data-action=note]').waitFor();
		await act(dept, 'resolve', (f) => f.getByLabel('办理结果').fill('已更换三盏路灯的镇流器和灯泡，当晚恢复照明。'), 'resolved');
		await sameActions(dept, id);

		// A community cadre calls the requester back.
		await signIn(cadre, 'cangyi');
		await cadre.page.goto(`/#/orders/${id}`);
		await cadre.page.locator('article.order[data-state="resolved"]').waitFor();
		await sameActions(cadre, id);
		await act(cadre, 'return_call', async (f) => {
			await f.getByLabel('电话').check();
			await f.getByLabel('回访对象').fill('诉求人本人');
			await f.getByLabel('回访情况').fill('居民确认路灯已恢复，感谢及时处理。');
		}, 'feedback');

		// Print view: the order's detail without buttons or forms.
		await cadre.page.emulateMedia({ media: 'print' });
		assert.equal(await cadre.page.locator('.actions-bar').isVisible(), false);
		assert.equal(await cadre.page.locator('ol.timeline').isVisible(), true);
		await cadre.page.emulateMedia({ media: 'screen' });

		// The resident rates it from the public tracking page.
		assert.ok(trackUrl, 'the intake gave no tracking code: POST /api/v1/orders with "tracking": true '
			+ 'must return tracking_code and tracking_secret so a phone caller can follow and rate the order online');
		await resident.page.goto(trackUrl);
		await resident.page.getByTestId('public-state').filter({ hasText: '已回访' }).waitFor();
		const pub = await resident.page.locator('main').textContent();
		assert.match(pub, /已更换三盏路灯/);
		assert.match(pub, /居民确认路灯已恢复/);
		assert.doesNotMatch(pub, /供电所协调/, 'an internal note leaked to the portal');
		assert.doesNotMatch(pub, /张晓梅|13905710000|林悦/, 'personal data leaked to the portal');
		await resident.page.getByLabel('满意', { exact: true }).check();
		await resident.page.getByRole('button', { name: '提交评价' }).click();
		await resident.page.getByTestId('public-rating').filter({ hasText: '满意' }).waitFor();
		assert.equal(await resident.page.getByTestId('rate-form').count(), 0, 'rated once: no second rating form');
		o = (await dispatcherApi.get(`/api/v1/orders/${id}`)).json;
		assert.equal(o.rating, 'satisfied');
		assert.equal(o.state, 'feedback');
	});
});

test('journey 2: an unsatisfied rating reopens the order and it shows in the department inbox', async (t) => {
	const [resident, dept] = await people('resident2', 'chengjian2b');
	await withShots(t.name, [resident, dept], async () => {
		const mark = tag();
		const rp = resident.page;
		await rp.goto('/portal/');
		await rp.getByLabel('问题类别').selectOption('street_light');
		await rp.getByLabel('问题描述').fill(`仓前老街口路灯闪烁，晚上忽明忽暗。${mark}`);
		await rp.getByLabel('地点').fill('仓前老街口');
		await rp.getByLabel('联系电话（可选）').fill('13600001234');
		await rp.getByRole('button', { name: '提交' }).click();
		await rp.getByTestId('submitted').waitFor();
		const trackCode = (await rp.getByTestId('tracking-code').textContent()).trim();
		const link = await rp.getByTestId('track-link').getAttribute('href');
		assert.match(trackCode, /^[A-Z0-9]{10}$/);

		// Staff do their part through the API: accept, assign, start, resolve.
		const found = await dispatcherApi.get(`/api/v1/orders?q=${encodeURIComponent(mark)}`);
		assert.equal(found.json.items.length, 1, found.text);
		const { id, code } = found.json.items[0];
		assert.equal(found.json.items[0].channel, 'web');
		const cj = await unitId('department', '城建办');
		for (const [a, body] of [['accept', {}], ['assign', { unit_id: cj }]]) {
			const r = await dispatcherApi.post(`/api/v1/orders/${id}/actions/${a}`, body);
			assert.equal(r.status, 200, `${a}: ${r.text}`);
		}
		const deptApi = client(srv.url);
		await deptApi.login('chengjian', PASSWORD);
		for (const [a, body] of [['start', {}], ['resolve', { result: '已派电工检修，更换了老化的灯头。' }]]) {
			const r = await deptApi.post(`/api/v1/orders/${id}/actions/${a}`, body);
			assert.equal(r.status, 200, `${a}: ${r.text}`);
		}

		// The resident is not satisfied.
		await rp.goto(link);
		await rp.getByTestId('public-state').filter({ hasText: '已办结' }).waitFor();
		await rp.getByLabel('不满意').check();
		await rp.getByLabel('意见（可选）').fill('修完第二天又开始闪了。');
		await rp.getByRole('button', { name: '提交评价' }).click();
		await rp.getByTestId('public-state').filter({ hasText: '重办' }).waitFor();
		assert.equal(await rp.getByTestId('rate-form').count(), 0);

		// It is back in the department's inbox, marked as reopened.
		await signIn(dept, 'chengjian2');
		await dept.page.goto('/#/inbox?bucket=handling');
		const row = dept.page.locator(`tr[data-code="${code}"]`);
		await row.waitFor();
		assert.equal(await row.locator('[data-state]').getAttribute('data-state'), 'reopened');
		assert.match(await row.textContent(), /重办 1 次/);
		await row.locator('a').first().click();
		await dept.page.locator('article.order[data-state="reopened"]').waitFor();
		const o = await sameActions(dept, id);
		assert.ok(o.actions.includes('start'), `a reopened order can be started again: ${o.actions}`);
		assert.match(await dept.page.locator('ol.timeline').textContent(), /不满意/);
	});
});

test('journey 3: the language switch changes the whole console and persists', async (t) => {
	const [p] = await people('english');
	await withShots(t.name, [p], async () => {
		const page = p.page;
		await page.goto('/#/login');
		await page.locator('h1', { hasText: '登录' }).waitFor();
		await page.getByRole('button', { name: 'English' }).click();
		await page.locator('h1', { hasText: 'Sign in' }).waitFor();
		assert.equal(await page.locator('html').getAttribute('lang'), 'en');
		// Signing in with the keyboard only: the login field has the focus.
		await page.keyboard.type('dispatcher');
		await page.keyboard.press('Tab');
		await page.keyboard.type(PASSWORD);
		await page.keyboard.press('Enter');
		await page.getByTestId('me-name').waitFor();
		assert.equal(await page.getByTestId('me-role').textContent(), 'Dispatcher · 指挥室');
		await page.locator('h1', { hasText: 'Orders' }).waitFor();
		assert.equal(await page.locator('[data-nav=intake]').textContent(), 'New order');
		assert.match(await page.locator('table.orders thead').textContent(), /Deadline/);

		await page.reload();
		await page.locator('h1', { hasText: 'Orders' }).waitFor();
		await page.goto('/portal/');
		await page.locator('h1', { hasText: 'Report a problem' }).waitFor();

		await page.getByRole('button', { name: '中文' }).click();
		await page.locator('h1', { hasText: '反映问题' }).waitFor();
		await page.goto('/#/inbox');
		await page.locator('h1', { hasText: '工单' }).waitFor();
		assert.equal(await page.getByTestId('me-role').textContent(), '受理员 · 指挥室');
		assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
	});
});

test('journey 4: a community worker cannot open another community\'s order by URL', async (t) => {
	const [other, own] = await people('taiyan', 'cangyi2');
	await withShots(t.name, [other, own], async () => {
		const mark = tag();
		const area = await unitId('community', '仓溢绿苑社区');
		const r = await dispatcherApi.post('/api/v1/orders', {
			title: `仓溢绿苑垃圾满溢 ${mark}`, description: `3幢旁垃圾桶两天未清运。${mark}`,
			category: 'garbage', channel: 'phone', requester: { kind: 'person', name: '王先生', phone: '13700002222' },
			address: '仓溢绿苑3幢', area_unit_id: area, auto_route: true,
		});
		assert.equal(r.status, 201, r.text);
		const { id, code } = r.json;

		await signIn(other, 'taiyan');
		await other.page.goto(`/#/orders/${id}`);
		const denied = other.page.getByTestId('order-denied');
		await denied.waitFor();
		assert.match(await denied.textContent(), /不存在，或不在您的管辖范围内/);
		assert.equal(await other.page.locator('article.order').count(), 0);
		assert.doesNotMatch(await other.page.locator('main').textContent(), new RegExp(mark));
		assert.equal((await apiGet(other, `/api/v1/orders/${id}`)).status, 404);
		await other.page.goto(`/#/inbox?bucket=all&q=${encodeURIComponent(mark)}`);
		await other.page.locator('p.status', { hasText: '没有符合条件的工单' }).waitFor();

		// The community where it happened does see it.
		await signIn(own, 'cangyi');
		await own.page.goto(`/#/orders/${id}`);
		await own.page.locator(`article.order[data-id="${id}"]`).waitFor();
		assert.match(await own.page.locator('article.order h1').textContent(), new RegExp(code));
	});
});

test('an expired session returns to the login form and keeps what was typed', async (t) => {
	const [p] = await people('expiry');
	await withShots(t.name, [p], async () => {
		const page = p.page;
		const mark = tag();
		await signIn(p, 'dispatcher');
		await page.goto('/#/new');
		await page.getByLabel('类别').selectOption('noise');
		await page.getByLabel('标题').fill(`夜间施工噪音 ${mark}`);
		await page.getByLabel('诉求内容').fill(`文一西路工地晚上十一点后仍在施工。${mark}`);
		await p.context.clearCookies(); // the session ends while the form is open
		await page.getByRole('button', { name: '保存工单' }).click();
		await page.getByTestId('expired').waitFor();
		await page.locator('input[name=login]').fill('dispatcher');
		await page.locator('input[name=password]').fill(PASSWORD);
		await page.locator('form.login-form button[type=submit]').click();
		await page.locator('h1', { hasText: '登记诉求' }).waitFor();
		assert.equal(await page.getByLabel('标题').inputValue(), `夜间施工噪音 ${mark}`);
		assert.equal(await page.getByLabel('类别').inputValue(), 'noise');
		await page.getByRole('button', { name: '保存工单' }).click();
		await page.locator('[data-testid=intake-saved], article.order').first().waitFor();
		const found = await dispatcherApi.get(`/api/v1/orders?q=${encodeURIComponent(mark)}`);
		assert.equal(found.json.items.length, 1, 'saved exactly once');
	});
});

// Pages load what they need before they draw: one still loading when the
// person opens another must not turn up inside the new one (the inbox's
// filters once appeared inside the intake form, two 类别 fields at once).
test('a page still loading when another is opened never shows up in the new one', async (t) => {
	const [p] = await people('late-page');
	await withShots(t.name, [p], async () => {
		const page = p.page;
		await signIn(p, 'dispatcher');
		let release;
		const held = new Promise((r) => { release = r; });
		await page.route('**/api/v1/units?kind=department', async (route) => {
			await held;
			await route.continue();
		});
		const asked = page.waitForRequest('**/api/v1/units?kind=department');
		await page.reload(); // the inbox loads anew and waits for the departments
		await asked;
		await page.evaluate(() => { location.hash = '#/new'; });
		await page.waitForTimeout(300); // the intake page starts and waits too
		release();
		await page.locator('h1', { hasText: '登记诉求' }).waitFor();
		await page.waitForLoadState('networkidle');
		assert.equal(await page.locator('#main form.filters').count(), 0, 'no inbox filters on the intake page');
		assert.equal(await page.locator('#main h1').count(), 1, 'one page shown');
		await page.getByLabel('类别').selectOption('street_light');
		await page.unroute('**/api/v1/units?kind=department');
	});
});

test('a grid worker records a visit on a phone-sized screen', async (t) => {
	const [p] = await people({ name: 'grid-phone', viewport: { width: 390, height: 844 } });
	await withShots(t.name, [p], async () => {
		const page = p.page;
		await signIn(p, 'grid1');
		await page.goto('/#/new');
		await page.locator('h1', { hasText: '登记诉求' }).waitFor();
		assert.equal(await page.locator('input[name=channel][value=visit]').isChecked(), true, 'a grid worker records visits');
		const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(wide <= 0, `the form scrolls sideways by ${wide}px on a phone`);
		const box = await page.getByRole('button', { name: '保存工单' }).boundingBox();
		assert.ok(box.height >= 40, `the save button is too small to tap: ${box.height}px`);
		await page.goto('/#/inbox');
		await page.locator('h1', { hasText: '工单' }).waitFor();
		const wide2 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(wide2 <= 0, `the inbox scrolls sideways by ${wide2}px on a phone`);
	});
});

test('the portal tells a resident clearly when the submission limit is hit', async (t) => {
	const small = await startServer({ seed: true, args: ['--public-rate', '1'] });
	cleanup.push(() => small.stop());
	const p = await person(browser, small.url, 'limited');
	cleanup.push(() => p.context.close());
	await withShots(t.name, [p], async () => {
		const page = p.page;
		const submit = async (text) => {
			await page.goto('/portal/');
			await page.getByLabel('问题类别').selectOption('garbage');
			await page.getByLabel('问题描述').fill(text);
			await page.getByLabel('地点').fill('仓前街道');
			await page.getByRole('button', { name: '提交' }).click();
		};
		await submit('第一件：垃圾清运不及时。');
		await page.getByTestId('submitted').waitFor();
		await submit('第二件：同一网络一小时内再次提交。');
		const msg = page.locator('form.portal-form p.error');
		await msg.filter({ hasText: '提交过于频繁' }).waitFor();
		assert.match(await msg.textContent(), /Too many submissions/);
	});
});

test('the registers have their place in the navigation and each list loads', async (t) => {
	const [p] = await people('registers');
	await withShots(t.name, [p], async () => {
		const page = p.page;
		await signIn(p, 'dispatcher');
		await page.locator('[data-nav=registers]').click();
		await page.locator('h1', { hasText: '台账' }).waitFor();
		for (const r of ['enterprises', 'households', 'places', 'village-groups']) {
			await page.locator(`[data-register="${r}"]`).click();
			await page.locator(`[data-register="${r}"][aria-current=page]`).waitFor();
			const status = page.locator('p.status');
			await status.filter({ hasText: /共 \d+ 条|没有记录/ }).waitFor();
			const api = await apiGet(p, `/api/v1/${r}?limit=50`);
			assert.equal(api.status, 200, `${r}: ${JSON.stringify(api.json)}`);
			assert.equal(await page.locator('table.orders tbody tr').count(), api.json.items.length, r);
		}
	});
});
