import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const ctx = await b.newContext({ baseURL: 'http://127.0.0.1:18716', viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
const page = await ctx.newPage();
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto('/#/login');
await page.locator('input[name=login]').fill('cangyi');
await page.locator('input[name=password]').fill('Sanfu2026');
await page.locator('form.login-form button[type=submit]').click();
await page.getByTestId('me-name').waitFor();
await page.goto('/#/visits/new');
await page.getByTestId('intake-saved').count();
await page.getByLabel('查找走访对象').fill('3幢');
await page.getByTestId('target-find').click();
await page.locator('button.pick').first().waitFor();
await page.screenshot({ path: '/tmp/h16x/shots/vf-search.png', fullPage: false });
await page.locator('button.pick').first().click();
await page.locator('label.tile', { hasText: '夜访' }).click();
await page.getByLabel('填写民情大排摸清单').check();
await page.getByTestId('add-hazard').click();
await page.getByTestId('add-problem').click();
await page.screenshot({ path: '/tmp/h16x/shots/vf-full.png', fullPage: true });
// keyboard: tab order from the top
await page.goto('/#/visits/new');
await page.locator('h1').waitFor();
const seq = [];
await page.locator('input[name=target_kind]').first().focus();
for (let i = 0; i < 14; i++) {
	await page.keyboard.press('Tab');
	seq.push(await page.evaluate(() => { const a = document.activeElement; const l = a.labels && a.labels[0]; return `${a.tagName}:${a.name || a.type || ''}:${(l && l.textContent.trim().slice(0, 12)) || a.textContent.trim().slice(0, 12)}`; }));
}
console.log(seq.join('\n'));
await b.close();
