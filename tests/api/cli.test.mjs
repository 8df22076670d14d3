// The sanfu command line as an operator uses it: help and version, init,
// backup while serving, audit verify catching a changed row, and where the
// settings come from (file < SANFU_* environment < flags).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, DB_KIND, run, startServer, client, addUser, freePort, answers } from './lib.mjs';


function tmp() {
	return mkdtempSync(path.join(tmpdir(), 'sanfu-cli-'));
}

function sqlite3(file, sql) {
	const r = spawnSync('sqlite3', [file, sql], { encoding: 'utf8' });
	assert.equal(r.status, 0, `sqlite3 ${sql}: ${r.stderr}`);
	return r.stdout.trim();
}

function commandsFromHelp(text) {
	const at = text.indexOf('commands:');
	assert.ok(at >= 0, text);
	return text.slice(at).split('\n').slice(1)
		.map((l) => /^ {2}([a-z][a-z-]*) {2,}\S/.exec(l))
		.filter(Boolean).map((m) => m[1]);
}

test('sanfu --version prints the version of the VERSION file', async () => {
	const r = await run(['--version']);
	assert.equal(r.code, 0);
	assert.equal(r.stdout.trim(), `sanfu ${readFileSync(path.join(ROOT, 'VERSION'), 'utf8').trim()}`);
});

test('sanfu alone prints the commands and exits 2; an unknown command says so', async () => {
	const r = await run([]);
	assert.equal(r.code, 2);
	const cmds = commandsFromHelp(r.stdout);
	for (const c of ['serve', 'init', 'migrate', 'user', 'token', 'backup', 'audit', 'seed-demo'])
		assert.ok(cmds.includes(c), `${c} is listed: ${cmds}`);
	const u = await run(['frobnicate']);
	assert.equal(u.code, 2);
	assert.match(u.stderr, /unknown command 'frobnicate'/);
	const h = await run(['--help']);
	assert.equal(h.code, 0);
	assert.equal(h.stdout, r.stdout);
});

test('every subcommand has --help, exits 0 and shows its usage and the settings', async () => {
	const cmds = commandsFromHelp((await run(['--help'])).stdout);
	assert.ok(cmds.length >= 8, cmds.join(' '));
	for (const c of cmds) {
		const r = await run([c, '--help']);
		assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
		assert.match(r.stdout, new RegExp(`^usage: sanfu ${c}\\b`), `${c} --help`);
		assert.match(r.stdout, /--config FILE/, `${c} --help lists the settings`);
		assert.equal((await run([c, '-h'])).code, 0);
	}
	const serve = await run(['serve', '--help']);
	assert.match(serve.stdout, /--listen/);
	assert.match(serve.stdout, /--db/);
	assert.match(serve.stdout, /--scan-interval/);
});

test('sanfu init creates a new database, and is harmless when run again', async () => {
	const dir = tmp();
	try {
		const db = path.join(dir, 'var', 'new.db');
		const r = await run(['init', '--db', db]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /ready \(schema version \d+\)/);
		assert.match(r.stdout, /sanfu user add/, 'init tells what to do next');
		assert.ok(statSync(db).size > 0);
		assert.ok(existsSync(`${db}.key`), 'the sealing key is created beside it');
		assert.equal(sqlite3(db, 'select count(*) from users'), '0', 'no demo data');
		const key = readFileSync(`${db}.key`);
		assert.equal((await run(['user', 'add', 'first', '--name', 'First', '--role', 'admin', '--db', db],
			{ env: { SANFU_PASSWORD: 'First1234' } })).code, 0);
		const again = await run(['init', '--db', db]);
		assert.equal(again.code, 0, again.stderr);
		assert.equal(sqlite3(db, 'select login from users'), 'first', 'init keeps the data');
		assert.ok(readFileSync(`${db}.key`).equals(key), 'init keeps the sealing key');
		const m = await run(['migrate', '--db', db]);
		assert.equal(m.code, 0, m.stderr);
		assert.match(m.stdout, /^schema version \d+$/m);
		const extra = await run(['init', 'oops', '--db', db]);
		assert.equal(extra.code, 2);
		assert.match(extra.stderr, /unexpected argument 'oops'/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('sanfu backup FILE while serving gives a database sqlite3 can read', async () => {
	const srv = await startServer();
	const dir = tmp();
	try {
		if (DB_KIND !== 'sqlite') {
			// PostgreSQL has its own tools: the command says so and writes nothing.
			const file = path.join(dir, 'copy.db');
			const r = await srv.sanfu('backup', file);
			assert.equal(r.code, 1, r.stdout + r.stderr);
			assert.match(r.stderr, /pg_dump/);
			assert.ok(!existsSync(file));
			return;
		}
		for (const u of ['a1', 'a2', 'a3'])
			assert.equal((await addUser(srv, u, 'Backup1234', 'dept')).code, 0);
		// Keep the server busy writing sessions while the backup runs.
		const busy = Promise.all(Array.from({ length: 20 }, () =>
			client(srv.url).login('a1', 'Backup1234')));
		const file = path.join(dir, 'copy.db');
		const r = await srv.sanfu('backup', file);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /backed up .* to .*copy\.db/);
		assert.ok((await busy).every((x) => x.status === 200));
		assert.equal(sqlite3(file, 'select count(*) from users'), '3');
		assert.equal(sqlite3(file, 'pragma integrity_check'), 'ok');
		assert.ok(!existsSync(`${file}-wal`) || statSync(`${file}-wal`).size === 0,
			'the copy stands alone, without a -wal file');
		const v = await run(['audit', 'verify', '--db', file]);
		assert.equal(v.code, 0, v.stdout + v.stderr);
		// It never overwrites a file.
		const again = await srv.sanfu('backup', file);
		assert.equal(again.code, 1);
		assert.match(again.stderr, /exists/);
		assert.equal(sqlite3(file, 'select count(*) from users'), '3');
		assert.equal((await srv.sanfu('backup')).code, 2);
	} finally {
		rmSync(dir, { recursive: true, force: true });
		await srv.stop();
	}
});

// On its own SQLite file whatever the suite's engine (the chain on
// PostgreSQL is checked in scale.test.mjs and scan_audit.test.mjs).
test('sanfu audit verify passes on a fresh database and names a changed row', async () => {
	const dir = tmp();
	const db = path.join(dir, 't.db');
	try {
		assert.equal((await run(['init', '--db', db])).code, 0);
		const fresh = await run(['audit', 'verify', '--db', db]);
		assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
		assert.match(fresh.stdout, /^audit: ok/m);
		assert.match(fresh.stdout, /^events: ok/m);
		for (const u of ['first', 'second'])
			assert.equal((await run(['user', 'add', u, '--role', 'admin', '--db', db],
				{ env: { SANFU_PASSWORD: 'Audit1234' } })).code, 0);
		const good = await run(['audit', 'verify', '--db', db]);
		assert.equal(good.code, 0, good.stdout);
		assert.match(good.stdout, /audit: ok, 2 audit entries verified/);
		sqlite3(db, "update audit_log set reason='x' where id=1");
		const bad = await run(['audit', 'verify', '--db', db]);
		assert.equal(bad.code, 3, bad.stdout + bad.stderr);
		assert.match(bad.stdout, /audit: BROKEN at audit entry 1\b/);
		// Removing the newest entry is caught as well.
		sqlite3(db, "update audit_log set reason='' where id=1");
		assert.equal((await run(['audit', 'verify', '--db', db])).code, 0, 'restored');
		sqlite3(db, 'delete from audit_log where id=2');
		const gone = await run(['audit', 'verify', '--db', db]);
		assert.equal(gone.code, 3, gone.stdout);
		assert.match(gone.stdout, /audit: BROKEN/);
		assert.equal((await run(['audit', '--db', db])).code, 2);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('settings: a config file is overridden by SANFU_* which is overridden by flags', async () => {
	const dir = tmp();
	const [pFile, pEnv, pFlag] = [await freePort(), await freePort(), await freePort()];
	const conf = path.join(dir, 'sanfu.conf');
	writeFileSync(conf, `# test settings\n[server]\nlisten = 127.0.0.1:${pFile}\n` +
		'session_idle = "600"\nlog-requests = off\n');
	const servers = [];
	try {
		// File only.
		let s = await startServer({ listen: false, args: ['--config', conf] });
		servers.push(s);
		assert.equal(s.port, pFile);
		assert.ok(await answers(pFile));
		assert.ok(!s.log().includes('"msg":"request"'), 'log-requests = off from the file');
		await s.stop();
		// The environment beats the file; SANFU_CONFIG names the file too.
		s = await startServer({ env: { SANFU_CONFIG: conf, SANFU_LISTEN: `127.0.0.1:${pEnv}` } });
		servers.push(s);
		assert.equal(s.port, pEnv);
		assert.ok(await answers(pEnv));
		assert.ok(!(await answers(pFile)), 'the file port is not used');
		await s.stop();
		// A flag beats both.
		s = await startServer({ env: { SANFU_LISTEN: `127.0.0.1:${pEnv}` },
			args: ['--config', conf, '--listen', `127.0.0.1:${pFlag}`] });
		servers.push(s);
		assert.equal(s.port, pFlag);
		assert.ok(await answers(pFlag));
		assert.ok(!(await answers(pEnv)) && !(await answers(pFile)));
		await s.stop();
	} finally {
		for (const x of servers) await x.stop().catch(() => {});
		rmSync(dir, { recursive: true, force: true });
	}
});

test('a bad setting stops the program with the file, line and key named', async () => {
	const dir = tmp();
	try {
		const conf = path.join(dir, 'bad.conf');
		writeFileSync(conf, 'listen = 127.0.0.1:9\nlisen = 127.0.0.1:9\n');
		const r = await run(['init', '--config', conf, '--db', path.join(dir, 'x.db')]);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /bad\.conf:2: unknown key 'lisen'/);
		writeFileSync(conf, 'threads = many\n');
		const t = await run(['init', '--config', conf, '--db', path.join(dir, 'x.db')]);
		assert.equal(t.code, 1);
		assert.match(t.stderr, /bad\.conf:1: bad value for threads: 'many'/);
		const e = await run(['init', '--db', path.join(dir, 'x.db')], { env: { SANFU_BODY_MAX: '1MB' } });
		assert.equal(e.code, 1);
		assert.match(e.stderr, /SANFU_BODY_MAX: bad value for body_max/);
		const f = await run(['init', '--db', path.join(dir, 'x.db'), '--session-ttl', 'soon']);
		assert.equal(f.code, 1);
		assert.match(f.stderr, /bad value for session_ttl/);
		const missing = await run(['init', '--config', path.join(dir, 'none.conf')]);
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /cannot read .*none\.conf/);
		assert.ok(!existsSync(path.join(dir, 'x.db')), 'nothing was created');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('serve refuses a port that is taken, and stray arguments', async () => {
	const srv = await startServer();
	try {
		const r = await run(['serve', '--db', srv.db, '--listen', `127.0.0.1:${srv.port}`],
			{ timeout: 10000 });
		assert.equal(r.code, 1, r.stderr);
		assert.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+/);
		const bad = await run(['serve', '--db', srv.db, '--listen', 'nowhere'], { timeout: 10000 });
		assert.equal(bad.code, 1);
		assert.match(bad.stderr, /HOST:PORT/);
		const stray = await run(['serve', 'now', '--db', srv.db], { timeout: 10000 });
		assert.equal(stray.code, 2);
		assert.match(stray.stderr, /unexpected argument 'now'/);
	} finally {
		await srv.stop();
	}
});
