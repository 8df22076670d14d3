// Several Sanfu servers on one PostgreSQL database (issue: scale-out):
// writes through one are read through the other, sessions work on either,
// a conflicting update gets a 409 and the history stays one chain, and the
// deadline scan runs on exactly one server and moves when that one dies.
// Also: copy-db moves a seeded SQLite database to PostgreSQL and every
// table compares equal, and a server carries on after PostgreSQL restarts.
// Always on a throwaway cluster of its own (scripts/pg-test.sh), since it
// restarts it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, SANFU, run, client } from './lib.mjs';

const PASSWORD = 'Sanfu2026';
let cluster = null; // {dir} of this file's own cluster
let adminUrl = '';
const tmp = mkdtempSync(path.join(tmpdir(), 'sanfu-scale-'));
const keyFile = path.join(tmp, 'shared.key');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function psql(url, sql) {
	return execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], {
		encoding: 'utf8',
	}).trim();
}

function dbUrl(name) {
	const u = new URL(adminUrl);
	u.pathname = `/${name}`;
	return u.toString();
}

async function newDb(name) {
	psql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
	psql(adminUrl, `CREATE DATABASE ${name}`);
	return dbUrl(name);
}

function startServe(db) {
	return new Promise((resolve, reject) => {
		const child = spawn(SANFU, ['serve', '--db', db, '--key-file', keyFile, '--listen',
			'127.0.0.1:0', '--scan-interval', '1', '--fast-hash'], {
			cwd: ROOT,
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		let log = '';
		const t = setTimeout(() => reject(new Error(`no start: ${log}`)), 15000);
		child.stderr.on('data', (d) => {
			log += d;
			const m = /\(port (\d+)\)/.exec(log);
			if (m && !child.url) {
				child.url = `http://127.0.0.1:${m[1]}`;
				clearTimeout(t);
				resolve(child);
			}
		});
		child.on('exit', (code) => {
			child.exitCode2 = code;
			if (!child.url) reject(new Error(`serve exited ${code}: ${log}`));
		});
		child.log = () => log;
	});
}

async function gauge(url, name) {
	const r = await fetch(`${url}/metrics`);
	const text = await r.text();
	const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
	return m ? Number(m[1]) : null;
}

before(() => {
	// Not under tmp: the postgres user must reach it, and mkdtemp makes 0700.
	cluster = { dir: path.join(tmpdir(), `sanfu-pg-${process.pid}`) };
	adminUrl = execFileSync(path.join(ROOT, 'scripts/pg-test.sh'), ['start', cluster.dir], {
		encoding: 'utf8',
	}).trim();
});

after(() => {
	if (cluster)
		execFileSync(path.join(ROOT, 'scripts/pg-test.sh'), ['stop', cluster.dir]);
	rmSync(tmp, { recursive: true, force: true });
});

test('two servers share one PostgreSQL database', async () => {
	const db = await newDb(`sanfu_scale_${process.pid}`);
	let r = await run(['init', '--db', db, '--key-file', keyFile]);
	assert.equal(r.code, 0, r.stderr);
	r = await run(['seed-demo', '--db', db, '--key-file', keyFile]);
	assert.equal(r.code, 0, r.stderr);
	const a = await startServe(db);
	const b = await startServe(db);
	try {
		// Writes through A are read through B.
		const da = client(a.url);
		assert.equal((await da.login('dispatcher', PASSWORD)).status, 200);
		const cats = await da.get('/api/v1/categories');
		const cat = cats.json.items.find((c) => c.dept) || cats.json.items[0];
		const created = await da.post('/api/v1/orders', {
			title: '多服务器测试：路灯不亮',
			description: '两台服务器共用一个数据库时写入的工单',
			category: cat.code,
			channel: 'phone',
			requester: { kind: 'person', name: '王五', phone: '13857109999' },
			address: '仓前街道文一西路',
			auto_route: false,
		});
		assert.equal(created.status, 201, created.text);
		const id = created.json.id;
		const db2 = client(b.url);
		assert.equal((await db2.login('dispatcher', PASSWORD)).status, 200);
		const seen = await db2.get(`/api/v1/orders/${id}`);
		assert.equal(seen.status, 200, seen.text);
		assert.equal(seen.json.code, created.json.code);
		assert.equal(seen.json.title, '多服务器测试：路灯不亮');

		// A session made on A works on B (sessions live in the database).
		const cross = client(b.url);
		for (const [k, v] of da.jar) cross.jar.set(k, v);
		cross.csrf = da.csrf;
		const me = await cross.get('/api/v1/me');
		assert.equal(me.status, 200, me.text);
		assert.equal(me.json.login, 'dispatcher');

		// The same change sent to both at once with the same version: one
		// wins, the other gets 409, and the timeline has one accept.
		const version = seen.json.version;
		assert.equal(typeof version, 'number');
		const [ra, rb] = await Promise.all([
			da.post(`/api/v1/orders/${id}/actions/accept`, { version }),
			db2.post(`/api/v1/orders/${id}/actions/accept`, { version }),
		]);
		const statuses = [ra.status, rb.status].sort();
		assert.deepEqual(statuses, [200, 409], `${ra.text} | ${rb.text}`);
		const loser = ra.status === 409 ? ra : rb;
		assert.ok(['stale_version', 'illegal_transition'].includes(loser.json.error.code),
			loser.text);
		const after1 = await da.get(`/api/v1/orders/${id}`);
		assert.equal(after1.json.state, 'accepted');
		assert.equal(after1.json.timeline.filter((e) => e.action === 'accept').length, 1);

		// Exactly one server runs the deadline scan.
		let la, lb;
		for (let i = 0; i < 50; i++) {
			la = await gauge(a.url, 'sanfu_scan_leader');
			lb = await gauge(b.url, 'sanfu_scan_leader');
			if (la + lb === 1) break;
			await sleep(200);
		}
		assert.equal(la + lb, 1, `leaders: a=${la} b=${lb}`);
		const [leader, other] = la === 1 ? [a, b] : [b, a];
		const runsBefore = await gauge(other.url, 'sanfu_scan_runs_total');
		assert.equal(runsBefore, 0, 'the other server ran no scan while the leader lived');

		// Kill the leader without a goodbye: the other takes the scan over.
		leader.kill('SIGKILL');
		let took = false;
		for (let i = 0; i < 100 && !took; i++) {
			await sleep(200);
			took = (await gauge(other.url, 'sanfu_scan_leader')) === 1 &&
				(await gauge(other.url, 'sanfu_scan_runs_total')) > 0;
		}
		assert.ok(took, 'the surviving server did not take over the scan');

		// The history is still one unbroken chain.
		r = await run(['audit', 'verify', '--db', db, '--key-file', keyFile]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.match(r.stdout, /events: ok/);
	} finally {
		for (const s of [a, b]) {
			if (s.exitCode === null && s.signalCode === null) s.kill('SIGTERM');
		}
		await sleep(300);
		psql(adminUrl, `DROP DATABASE IF EXISTS sanfu_scale_${process.pid} WITH (FORCE)`);
	}
});

test('copy-db moves a seeded SQLite database to PostgreSQL intact', async () => {
	const file = path.join(tmp, 'source.db');
	let r = await run(['init', '--db', file]);
	assert.equal(r.code, 0, r.stderr);
	r = await run(['seed-demo', '--db', file]);
	assert.equal(r.code, 0, r.stderr);
	const db = await newDb(`sanfu_copy_${process.pid}`);
	r = await run(['copy-db', '--from', `sqlite:${file}`, '--to', db], { timeout: 120000 });
	assert.equal(r.code, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /copy complete and verified/);
	assert.doesNotMatch(r.stdout, /DIFFERENT/);
	// Counts seen by the engines themselves agree.
	for (const t of ['orders', 'order_events', 'users', 'units', 'categories', 'audit_log']) {
		const src = execFileSync('sqlite3', [file, `SELECT COUNT(*) FROM ${t}`], {
			encoding: 'utf8',
		}).trim();
		assert.equal(psql(db, `SELECT COUNT(*) FROM ${t}`), src, t);
	}
	assert.ok(Number(psql(db, 'SELECT COUNT(*) FROM orders')) >= 60);
	// The copy serves: the hash chain verifies and a new order gets a new id.
	r = await run(['audit', 'verify', '--db', db, '--key-file', `${file}.key`]);
	assert.equal(r.code, 0, r.stdout + r.stderr);
	const maxId = Number(psql(db, 'SELECT MAX(id) FROM orders'));
	const srv = await startServe(db);
	try {
		const c = client(srv.url);
		assert.equal((await c.login('dispatcher', PASSWORD)).status, 200);
		const cats = await c.get('/api/v1/categories');
		const created = await c.post('/api/v1/orders', {
			title: '迁移后新建的工单',
			description: '复制到 PostgreSQL 之后新建，编号应接在原有工单之后',
			category: cats.json.items[0].code,
			channel: 'window',
			requester: { kind: 'anonymous' },
			auto_route: false,
		});
		assert.equal(created.status, 201, created.text);
		assert.ok(created.json.id > maxId, `${created.json.id} <= ${maxId}`);
	} finally {
		srv.kill('SIGTERM');
		await sleep(300);
		psql(adminUrl, `DROP DATABASE IF EXISTS sanfu_copy_${process.pid} WITH (FORCE)`);
	}
});

test('a server carries on after PostgreSQL restarts', async () => {
	const db = await newDb(`sanfu_restart_${process.pid}`);
	let r = await run(['init', '--db', db, '--key-file', keyFile]);
	assert.equal(r.code, 0, r.stderr);
	r = await run(['seed-demo', '--db', db, '--key-file', keyFile]);
	assert.equal(r.code, 0, r.stderr);
	const srv = await startServe(db);
	try {
		const c = client(srv.url);
		assert.equal((await c.login('dispatcher', PASSWORD)).status, 200);
		const before = await c.get('/api/v1/orders?limit=5');
		assert.equal(before.status, 200, before.text);
		// Restart the database under the running server: every pooled
		// connection is now dead.
		execFileSync(path.join(ROOT, 'scripts/pg-test.sh'), ['restart', cluster.dir]);
		for (let i = 0; i < 12; i++) {
			const again = await c.get('/api/v1/orders?limit=5');
			assert.equal(again.status, 200, `request ${i} after the restart: ${again.text}`);
			assert.deepEqual(again.json.items.map((o) => o.id), before.json.items.map((o) => o.id));
		}
		// Writes work again too.
		const cats = await c.get('/api/v1/categories');
		const created = await c.post('/api/v1/orders', {
			title: '数据库重启后新建的工单',
			description: '数据库重启后，服务自动重连并继续受理',
			category: cats.json.items[0].code,
			channel: 'phone',
			requester: { kind: 'anonymous' },
			auto_route: false,
		});
		assert.equal(created.status, 201, created.text);
	} finally {
		srv.kill('SIGTERM');
		await sleep(300);
		psql(adminUrl, `DROP DATABASE IF EXISTS sanfu_restart_${process.pid} WITH (FORCE)`);
	}
});
