// temporary smoke script (removed at the end)
import { chromium } from 'playwright-core';
const base = process.env.BASE || 'http://127.0.0.1:18716';
const who = process.env.WHO || 'dispatcher';
const routes = (process.env.ROUTES || '').split(' ').filter(Boolean);
const vp = process.env.PHONE ? { width: 390, height: 844 } : { width: 1280, height: 900 };
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const ctx = await b.newContext({ baseURL: base, viewport: vp, locale: 'zh-CN' });
if (process.env.EN) await ctx.addInitScript(() => localStorage.setItem('sanfu.lang', 'en'));
const page = await ctx.newPage();
const log = [];
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') log.push(`console.${m.type()}: ${m.text()}`); });
page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
await page.goto('/#/login');
await page.locator('input[name=login]').fill(who);
await page.locator('input[name=password]').fill('Sanfu2026');
await page.locator('form.login-form button[type=submit]').click();
await page.getByTestId('me-name').waitFor();
let i = 0;
for (const r of routes) {
	await page.goto('/' + r);
	await page.waitForTimeout(700);
	const h1 = await page.locator('main h1').first().textContent().catch(() => '(no h1)');
	const err = await page.locator('main p.error:not(:empty), main .status.error').allTextContents();
	const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	const cjk = process.env.EN ? (await page.locator('main').innerText()).split('\n').filter((l) => /[\u4e00-\u9fff]/.test(l)).slice(0, 8) : [];
	console.log(`${r} :: ${h1} ${err.length ? 'ERR ' + err.join('|') : ''} ${wide > 0 ? 'WIDE ' + wide : ''}`);
	if (cjk.length && !process.env.NOZH) console.log('   zh: ' + cjk.join(' | ').slice(0, 400));
	const raw = (await page.locator('body').innerText()).match(/\b(?:reg|ent|res|hh|imp|impcode|visit|haz|hazstate|haztype|severity|camp|pair|dash|order|target|method|section|placekind|vg|place|rerr|rfield|err|nav|form|inbox)\.[a-z_A-Z-]+\b/g);
	if (raw) console.log('   RAW KEYS: ' + [...new Set(raw)].join(' '));
	await page.screenshot({ path: `/tmp/h16x/shots/${who}-${i++}.png`, fullPage: true });
}
console.log(log.join('\n'));
await b.close();
