import { chromium } from 'playwright-core';
const base = 'http://127.0.0.1:18716';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
async function as(who) {
	const ctx = await b.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	page.on('pageerror', (e) => console.log('pageerror', e.message));
	await page.goto('/#/login');
	await page.locator('input[name=login]').fill(who);
	await page.locator('input[name=password]').fill('Sanfu2026');
	await page.locator('form.login-form button[type=submit]').click();
	await page.getByTestId('me-name').waitFor();
	return page;
}
const stamp = Date.now().toString(36);
let page = await as('admin');
await page.goto('/#/registers/enterprises/new');
await page.getByLabel('统一社会信用代码').fill('91330110MA2T0A26Y3');
await page.getByLabel('名称').fill('测试企业' + stamp);
await page.getByLabel('行业门类').selectOption('I');
await page.getByLabel('规上企业').check();
await page.getByLabel('联系电话').fill('13912345678');
await page.getByLabel('联系领导').selectOption({ index: 1 });
await page.getByRole('button', { name: '保存' }).click();
await page.waitForTimeout(500);
console.log('error:', await page.locator('form.reg-form p.error').textContent(), 'focused:', await page.evaluate(() => document.activeElement.name));
// a valid code: compute check char quickly via server message
const m = /should be (\w)/.exec(await page.locator('form.reg-form p.error').textContent());
await page.getByLabel('统一社会信用代码').fill('91330110MA2T0A26Y' + (m ? m[1] : '2'));
await page.getByRole('button', { name: '保存' }).click();
await page.waitForTimeout(800);
console.log('after save:', page.url(), await page.locator('main h1').textContent(), await page.locator('main p.error').allTextContents());
await page.screenshot({ path: '/tmp/h16x/shots/form1.png', fullPage: true });
// edit
await page.goto('/#/registers/enterprises/1/edit');
await page.getByLabel('地址').fill('余杭区仓前街道未来研创园A座' + stamp);
await page.getByRole('button', { name: '保存修改' }).click();
await page.waitForTimeout(800);
console.log('edit:', page.url(), await page.locator('main h1').textContent());
// household edit + resident + reveal
await page.goto('/#/registers/households/1');
await page.locator('details.add-resident summary').click();
await page.locator('form.resident-form').getByLabel('姓名').fill('张小明');
await page.locator('form.resident-form').getByLabel('与户主关系').fill('子');
await page.locator('form.resident-form').getByLabel('联系电话').fill('13700001111');
await page.locator('form.resident-form').getByRole('button', { name: '添加家庭成员' }).click();
await page.waitForTimeout(600);
console.log('residents:', await page.getByTestId('residents').locator('tbody').textContent());
await page.getByTestId('residents').locator('[data-reveal=phone]').first().click();
await page.getByTestId('residents').getByLabel('查看理由').fill('核实家庭成员');
await page.getByTestId('residents').locator('form.reveal button').click();
await page.waitForTimeout(500);
console.log('revealed:', await page.getByTestId('residents').locator('tbody').textContent());
await page.locator('[data-reveal=id_no]').first().click();
await page.getByLabel('查看理由').fill('核实身份');
await page.locator('form.reveal button').click();
await page.waitForTimeout(500);
console.log('id:', await page.getByTestId('hh-id-no').textContent());
// household edit
await page.goto('/#/registers/households/1/edit');
await page.getByLabel('人数').fill('6');
await page.getByRole('button', { name: '保存修改' }).click();
await page.waitForTimeout(800);
console.log('hh edit:', page.url(), await page.locator('main p.error').allTextContents());
// place new
await page.goto('/#/registers/places/new');
await page.getByLabel('类型').selectOption('building');
await page.getByLabel('名称').fill('测试楼宇' + stamp);
await page.getByRole('button', { name: '保存' }).click();
await page.waitForTimeout(800);
console.log('place:', page.url(), await page.locator('main h1').textContent());
// village group edit
await page.goto('/#/registers/village-groups/21/edit');
await page.getByLabel('人口').fill('260');
await page.getByRole('button', { name: '保存修改' }).click();
await page.waitForTimeout(800);
console.log('vg:', page.url(), await page.locator('main p.error').allTextContents());
// dept enterprise page
page = await as('jingfa2');
await page.goto('/#/registers/enterprises/1');
await page.waitForTimeout(800);
console.log('dept ent:', await page.locator('main h1').textContent(), await page.getByTestId('open-orders').textContent(), await page.locator('[data-reveal]').count());
page = await as('cangqian');
await page.goto('/#/registers/enterprises/1');
await page.waitForTimeout(800);
console.log('community ent:', await page.locator('main h1').textContent(), await page.getByTestId('open-orders').textContent());
await b.close();
