// Web console speed, measured in a real browser (Debian's chromium via
// playwright-core) against the real server with the demo seed:
//   1. the JavaScript the console loads on first sight of the inbox
//      (everything but the dashboard's charts), budget 150 KB;
//   2. rendering a list of 50 orders (DOM rows built and laid out), budget
//      100 ms at the 90th percentile of 30 runs (after 5 warm-up runs; the
//      slowest run is printed too, as it carries garbage-collection noise).
// Prints one line per figure and a JSON summary; exits 1 when a budget is
// broken. Run from the repository root after `make`:
//   node bench/web/measure.mjs [--json bench/out/web.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../tests/api/lib.mjs';

const BUDGET_JS_KB = 150;
const BUDGET_RENDER_MS = 100;
const RUNS = 30;
const WARMUP = 5;
const CHROMIUM = process.env.SANFU_CHROMIUM || '/usr/bin/chromium';
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : null;

const srv = await startServer({ seed: true, env: { SANFU_LOG_REQUESTS: 'false' } });
const browser = await chromium.launch({
	executablePath: CHROMIUM, headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
		'--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
const results = {};
let failed = false;
try {
	const context = await browser.newContext({ baseURL: srv.url, viewport: { width: 1280, height: 900 } });
	const login = await context.request.post('/api/v1/auth/login', { data: { login: 'dispatcher', password: 'Sanfu2026' } });
	if (!login.ok()) throw new Error(`login failed: ${login.status()} ${await login.text()}`);

	// 1. First load: every script response until the inbox shows its rows.
	const page = await context.newPage();
	const scripts = new Map();
	page.on('response', async (r) => {
		if (r.request().resourceType() !== 'script') return;
		try {
			scripts.set(new URL(r.url()).pathname, (await r.body()).length);
		} catch {
			/* a redirect or an aborted load has no body */
		}
	});
	await page.goto('/#/inbox', { waitUntil: 'networkidle' });
	await page.locator('table.orders tbody tr').first().waitFor();
	await page.waitForLoadState('networkidle');
	const firstLoad = [...scripts].filter(([p]) => !p.startsWith('/vendor/echarts'));
	const charts = [...scripts].filter(([p]) => p.startsWith('/vendor/echarts'));
	const jsBytes = firstLoad.reduce((s, [, n]) => s + n, 0);
	results.first_load_js_kb = +(jsBytes / 1024).toFixed(1);
	results.first_load_js_files = firstLoad.length;
	results.first_load_charts_loaded = charts.length > 0;

	// The dashboard, for information: what the charts add when they load.
	scripts.clear();
	await page.goto('/#/dashboard');
	await page.locator('#main [data-charts]').waitFor({ timeout: 30000 });
	await page.waitForLoadState('networkidle');
	results.dashboard_extra_js_kb = +([...scripts].reduce((s, [, n]) => s + n, 0) / 1024).toFixed(1);

	// 2. Rendering 50 orders: the inbox's own row builder on real items.
	await page.goto('/#/inbox');
	await page.locator('table.orders tbody tr').first().waitFor();
	const render = await page.evaluate(async ([runs, warmup]) => {
		const { orderRows, orderTable } = await import('/js/orderlist.js');
		const r = await fetch('/api/v1/orders?limit=50&sort=-updated');
		let items = (await r.json()).items;
		while (items.length < 50) items = items.concat(items).slice(0, 50);
		items = items.slice(0, 50);
		const host = document.createElement('div');
		document.querySelector('main').appendChild(host);
		const quick = (o, cell) => cell.appendChild(document.createElement('button'));
		const times = [];
		for (let i = 0; i < runs + warmup; i++) {
			const t0 = performance.now();
			const { table, tbody } = orderTable('bench');
			tbody.append(orderRows(items, quick));
			host.replaceChildren(table);
			void host.offsetHeight; // force style and layout
			const t1 = performance.now();
			if (i >= warmup) times.push(t1 - t0);
		}
		host.remove();
		times.sort((a, b) => a - b);
		const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
		return { rows: items.length, median: at(0.5), p90: at(0.9), max: times[times.length - 1] };
	}, [RUNS, WARMUP]);
	results.render_50_rows = render.rows;
	results.render_50_median_ms = +render.median.toFixed(2);
	results.render_50_p90_ms = +render.p90.toFixed(2);
	results.render_50_max_ms = +render.max.toFixed(2);

	// The whole inbox, for information: hash change to rows on screen
	// (includes the API request on a loopback socket).
	results.inbox_ms = await page.evaluate(async () => {
		const old = document.querySelector('table.orders tbody');
		const t0 = performance.now();
		location.hash = '#/inbox?bucket=all&sort=-updated';
		for (;;) {
			await new Promise((r) => requestAnimationFrame(r));
			const tbody = document.querySelector('table.orders tbody');
			if (tbody && tbody !== old && tbody.rows.length > 0) return +(performance.now() - t0).toFixed(1);
			if (performance.now() - t0 > 10000) return -1;
		}
	});
} finally {
	await browser.close();
	await srv.stop();
}

const line = (name, value, unit, budget) => {
	const over = budget !== undefined && value >= budget;
	if (over) failed = true;
	console.log(`web.${name} ${value}${unit}${budget !== undefined ? ` (budget < ${budget}${unit}) ${over ? 'OVER' : 'ok'}` : ''}`);
};
line('first_load_js', results.first_load_js_kb, ' KB', BUDGET_JS_KB);
console.log(`web.first_load_js_files ${results.first_load_js_files}; charts loaded on first load: ${results.first_load_charts_loaded ? 'YES (wrong)' : 'no'}`);
if (results.first_load_charts_loaded) failed = true;
line('dashboard_extra_js', results.dashboard_extra_js_kb, ' KB');
line('render_50_p90', results.render_50_p90_ms, ' ms', BUDGET_RENDER_MS);
line('render_50_median', results.render_50_median_ms, ' ms');
line('render_50_max', results.render_50_max_ms, ' ms');
line('inbox_end_to_end', results.inbox_ms, ' ms');
console.log(JSON.stringify(results));
if (jsonOut) {
	mkdirSync(path.dirname(jsonOut), { recursive: true });
	writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);
}
process.exit(failed ? 1 : 0);
