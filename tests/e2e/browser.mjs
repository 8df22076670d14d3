// The browser side of the end-to-end tests: Debian's chromium driven by
// playwright-core, headless, one isolated context per person (Playwright
// gives the browser a fresh, empty --user-data-dir), screenshots of every
// open page kept under tests/out/e2e/ when a test fails. The server comes
// from tests/api/lib.mjs (the real binary on a temporary database).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../api/lib.mjs';

export const CHROMIUM = process.env.SANFU_CHROMIUM || '/usr/bin/chromium';
export const OUT = path.join(ROOT, 'tests/out/e2e');
export const PASSWORD = 'Sanfu2026';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

export async function launch() {
	return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30000 });
}

// One person: a fresh context (own cookies and storage) and a page that
// records console errors and failed requests for the failure report.
// opts: {locale, viewport, timeout, downloads: true to keep downloads}.
export async function person(browser, baseURL, name, opts = {}) {
	const context = await browser.newContext({
		baseURL, locale: opts.locale || 'zh-CN', viewport: opts.viewport || { width: 1280, height: 900 },
		acceptDownloads: Boolean(opts.downloads),
	});
	context.setDefaultTimeout(opts.timeout || 10000);
	const page = await context.newPage();
	const log = [];
	page.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warning') log.push(`console.${m.type()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
	page.on('requestfailed', (r) => log.push(`requestfailed: ${r.url()} ${r.failure() && r.failure().errorText}`));
	return { name, context, page, log };
}

// Run fn and, when it throws, screenshot every person's page and attach
// their logs to the error before rethrowing.
export async function withShots(testName, people, fn) {
	try {
		return await fn();
	} catch (e) {
		mkdirSync(OUT, { recursive: true });
		const slug = testName.replace(/[^\w-]+/g, '_').slice(0, 60);
		const notes = [];
		for (const p of people.filter(Boolean)) {
			const file = path.join(OUT, `${slug}-${p.name}.png`);
			try {
				await p.page.screenshot({ path: file, fullPage: true, timeout: 5000 });
				notes.push(`screenshot: ${path.relative(ROOT, file)} (${p.page.url()})`);
			} catch (err) {
				notes.push(`screenshot of ${p.name} failed: ${err.message}`);
			}
			if (p.log.length) notes.push(`${p.name} log:\n  ${p.log.slice(-15).join('\n  ')}`);
		}
		e.message += `\n${notes.join('\n')}`;
		throw e;
	}
}

// Sign in through the login form and wait for the header.
export async function signIn(p, login, password = PASSWORD) {
	const { page } = p;
	await page.goto('/#/login');
	await page.locator('input[name=login]').fill(login);
	await page.locator('input[name=password]').fill(password);
	await page.locator('form.login-form button[type=submit]').click();
	await page.getByTestId('me-name').waitFor();
}

// The API as the page's signed-in person sees it (same cookie), for
// checks that compare the screen with the server.
export async function apiGet(p, url) {
	return p.page.evaluate(async (u) => {
		const r = await fetch(u, { headers: { Accept: 'application/json' } });
		return { status: r.status, json: await r.json().catch(() => null) };
	}, url);
}

// Open an action's form on the order page, fill it with fill(form) and
// confirm; waits for the order to show the expected state.
export async function act(p, action, fill, expectState) {
	const { page } = p;
	await page.locator(`.actions-bar button[data-action="${action}"]`).click();
	const form = page.locator(`form.action-form[data-action="${action}"]`);
	await form.waitFor();
	if (fill) await fill(form);
	await form.locator('button[type=submit]').click();
	if (expectState) await page.locator(`article.order[data-state="${expectState}"]`).waitFor();
	else await form.waitFor({ state: 'detached' });
}

// The action buttons the page shows, sorted.
export async function shownActions(page) {
	const names = await page.locator('.actions-bar button[data-action]').evaluateAll((bs) => bs.map((b) => b.dataset.action));
	return names.sort();
}
