// What the register and visit API tests share: one demo server (seeded,
// password Sanfu2026) per test file, its unit ids by code and user ids by
// login, SQL straight into its database, a signed-in client per login
// (kept for the file), and text re-encoded as GBK for CSV imports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, client, DB_KIND } from './lib.mjs';

export const PW = 'Sanfu2026';

// The demo of one test file: start() in before, stop() in after; sql, as,
// unitIds and userIds once started.
export function demo() {
	const d = { srv: null, sessions: new Map(), unitIds: new Map(), userIds: new Map() };
	d.sql = (q) => {
		const r = DB_KIND === 'sqlite'
			? spawnSync('sqlite3', ['-cmd', '.timeout 5000', d.srv.db, q], { encoding: 'utf8' })
			: spawnSync('psql', [d.srv.db, '-qAtc', q], { encoding: 'utf8' });
		assert.equal(r.status, 0, `${q}: ${r.stderr}`);
		const lines = r.stdout.split('\n');
		if (lines.at(-1) === '') lines.pop();
		return lines.map((l) => l.split('|'));
	};
	d.as = async (login) => {
		if (d.sessions.has(login)) return d.sessions.get(login);
		const c = client(d.srv.url);
		const r = await c.login(login, PW);
		assert.equal(r.status, 200, `login ${login}: ${r.text}`);
		d.sessions.set(login, c);
		return c;
	};
	d.start = async () => {
		d.srv = await startServer({ seed: true });
		for (const [id, code] of d.sql('SELECT id, code FROM units')) d.unitIds.set(code, Number(id));
		for (const [id, login] of d.sql('SELECT id, login FROM users')) d.userIds.set(login, Number(id));
		return d.srv;
	};
	d.stop = async () => {
		if (d.srv) await d.srv.stop();
	};
	return d;
}

export function gbk(text) {
	const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: text });
	assert.equal(r.status, 0, String(r.stderr));
	return r.stdout;
}
