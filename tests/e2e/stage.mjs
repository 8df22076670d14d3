// What the browser journeys share: a real server on a temporary database
// (the demo seed) with a headless browser and the dispatcher's API client,
// people (each a browser context, closed at the end), unit ids by name and
// unique marks for search.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { client, startServer, SANFU } from '../api/lib.mjs';
import { CHROMIUM, PASSWORD, launch, person } from './browser.mjs';

// The stage of one test file: start() in before, stop() in after; srv,
// browser and dispatcherApi once started; cleanup runs last first at stop.
export function stage(serverOpts) {
	const s = { srv: null, browser: null, dispatcherApi: null, cleanup: [] };
	s.start = async () => {
		assert.ok(existsSync(SANFU), `no server binary at ${SANFU}: run make first`);
		assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: run scripts/deps.sh (Debian package chromium)`);
		s.srv = await startServer(serverOpts);
		s.browser = await launch();
		s.dispatcherApi = client(s.srv.url);
		const r = await s.dispatcherApi.login('dispatcher', PASSWORD);
		assert.equal(r.status, 200, `dispatcher login: ${r.text}`);
	};
	s.stop = async () => {
		for (const fn of s.cleanup.reverse()) await fn().catch(() => {});
		if (s.browser) await s.browser.close();
		if (s.srv) await s.srv.stop();
	};
	s.people = async (...names) => {
		const out = [];
		for (const n of names) {
			const opts = typeof n === 'object' ? n : { name: n };
			const p = await person(s.browser, s.srv.url, opts.name, opts);
			s.cleanup.push(() => p.context.close());
			out.push(p);
		}
		return out;
	};
	s.unitId = async (kind, name) => {
		const r = await s.dispatcherApi.get(`/api/v1/units?kind=${kind}`);
		const u = r.json.items.find((x) => x.name === name);
		assert.ok(u, `no ${kind} named ${name} in the seed`);
		return u.id;
	};
	return s;
}

// A unique piece of text, so a search finds exactly one order.
export const tag = () => `测试${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
