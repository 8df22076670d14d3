// The deadline scan and the hash-chained history, as an operator sees them:
// `sanfu scan` marks a breached order overdue and escalates it by 系统, turns
// an order transferred three times into a problem order, and changes nothing
// when run again; `sanfu audit verify` passes on honest history and names the
// row when someone edits the database behind the server's back.
// The CLI has no fake clock, so the test moves a deadline into the past with
// SQL on the test database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, expectError, DB_KIND, demoLogins } from './lib.mjs';

let srv;

before(async () => {
	srv = await startServer({ seed: true }); // --scan-interval 0: only `sanfu scan` scans
});
after(async () => {
	if (srv) await srv.stop();
});

function sql(q) {
	const r = DB_KIND === 'sqlite'
		? spawnSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, q], { encoding: 'utf8' })
		: spawnSync('psql', [srv.db, '-qAtc', q], { encoding: 'utf8' });
	assert.equal(r.status, 0, `${q}: ${r.stderr}`);
	const lines = r.stdout.split('\n');
	if (lines.at(-1) === '') lines.pop();
	return lines.map((l) => l.split('|'));
}
const one = (q) => sql(q)[0][0];
const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;

const as = demoLogins(() => srv);

async function detail(c, id) {
	const r = await c.get(`/api/v1/orders/${id}`);
	assert.equal(r.status, 200, r.text);
	return r.json;
}

async function actOk(c, id, action, body) {
	const r = await c.post(`/api/v1/orders/${id}/actions/${action}`, body || {});
	assert.equal(r.status, 200, `${action}: ${r.text}`);
	return r.json;
}

const SCAN_LINE = /^checked (\d+) open orders: (\d+) warned, (\d+) overdue, (\d+) escalated, (\d+) problem orders$/m;

async function scan() {
	const r = await srv.sanfu('scan');
	assert.equal(r.code, 0, r.stdout + r.stderr);
	const m = SCAN_LINE.exec(r.stdout);
	assert.ok(m, r.stdout);
	const [checked, warned, overdue, escalated, problems] = m.slice(1).map(Number);
	return { checked, warned, overdue, escalated, problems };
}

async function verify() {
	return srv.sanfu('audit', 'verify');
}

test('sanfu scan marks a breached order overdue and escalates it, as 系统, once', async () => {
	const d = await as('dispatcher');
	const cr = await d.post('/api/v1/orders', {
		title: '仓兴街垃圾桶满溢无人清运',
		description: '仓兴街菜场门口垃圾桶连续两天没有清运，气味很大。',
		category: 'garbage',
		channel: 'phone',
		requester: { name: '陶先生', phone: '13857103333' },
		area_unit_id: 16,
	});
	assert.equal(cr.status, 201, cr.text);
	const id = cr.json.id;
	assert.equal(cr.json.dept.name, '综合执法中队');

	// Whatever the demo has due now is settled first; the new order is not due.
	await scan();
	const fresh = await detail(d, id);
	assert.equal(fresh.overdue, false);
	assert.equal(fresh.timeline.length, 3);
	const settled = await scan();
	assert.deepEqual([settled.warned, settled.overdue, settled.escalated, settled.problems], [0, 0, 0, 0],
		'a second scan at once finds nothing due');

	const problemId = await makeProblemCandidate(d);

	// An hour past its deadline, four days into the stage (no fake clock in the CLI).
	const now = Math.floor(Date.now() / 1000);
	sql(`UPDATE orders SET deadline = ${now - 3600}, stage_start = ${now - 4 * 86400} WHERE id = ${id}`);
	const zhifa = await as('zhifa'); // 曹勇, head of 综合执法中队
	const notes0 = (await zhifa.get('/api/v1/notifications')).json.unread;
	const s = await scan();
	assert.deepEqual([s.warned, s.overdue, s.escalated, s.problems], [0, 1, 1, 1], JSON.stringify(s));
	assert.ok(s.checked > 10, 'every open order was checked');

	const o = await detail(d, id);
	assert.equal(o.overdue, true);
	assert.equal(o.ever_overdue, true);
	assert.equal(o.escalation, 1);
	assert.equal(o.state, 'assigned', 'the scan never moves the state');
	assert.ok(o.workdays_left <= 0, `workdays_left ${o.workdays_left}`);
	const tail = o.timeline.slice(3);
	assert.deepEqual(tail.map((e) => [e.action, e.action_label, e.actor.name, e.actor.role, e.actor.id]), [
		['overdue', '超期', '系统', 'system', null],
		['escalate', '升级', '系统', 'system', null],
	]);
	assert.equal(tail[1].details.level, 1);
	assert.equal(tail[0].from_state, 'assigned');
	assert.equal(tail[0].to_state, 'assigned');
	assert.ok((await d.get('/api/v1/orders?overdue=1&limit=200')).json.items.some((x) => x.id === id));
	const notes = (await zhifa.get('/api/v1/notifications')).json;
	assert.equal(notes.unread, notes0 + 1, 'the department head is told');
	assert.equal(notes.items[0].kind, 'escalate');
	assert.equal(notes.items[0].order.id, id);

	// The problem order: three transfers.
	const p = await detail(d, problemId);
	assert.equal(p.problem, true);
	assert.equal(p.transfer_count, 3);
	assert.equal(p.escalation, 1, 'a problem order goes up a level');
	assert.equal(p.overdue, false);
	assert.deepEqual(p.timeline.at(-1).action_label, '转为问题工单');
	assert.equal(p.timeline.at(-1).actor.name, '系统');
	assert.ok((await d.get('/api/v1/orders?problem=1&limit=200')).json.items.some((x) => x.id === problemId));

	// Run again: nothing more is due, nothing is written.
	const events = Number(one('SELECT COUNT(*) FROM order_events'));
	const again = await scan();
	assert.deepEqual([again.warned, again.overdue, again.escalated, again.problems], [0, 0, 0, 0]);
	assert.equal(Number(one('SELECT COUNT(*) FROM order_events')), events);
	assert.equal((await detail(d, id)).version, o.version);

	// An extension the leader approves lifts the breach.
	await actOk(await as('zhifa2'), id, 'request_extension', { days: 3, reason: '需联系环卫公司增派车辆' });
	const ext = await actOk(await as('leader'), id, 'approve_extension', {});
	assert.equal(ext.overdue, false);
	assert.ok(new Date(ext.deadline) > new Date(), ext.deadline);
	assert.equal(ext.ever_overdue, true, 'the record of the breach stays');
	assert.equal(ext.extension_days, 3);
});

// An order that a department, a village and another department each
// returned and the dispatcher sent on: three transfers.
async function makeProblemCandidate(d) {
	const cr = await d.post('/api/v1/orders', {
		title: '良睦路桥下积水',
		description: '下雨后良睦路桥下积水严重，车辆无法通行。',
		category: 'road_damage',
		channel: 'phone',
		area_unit_id: 18,
	});
	assert.equal(cr.status, 201, cr.text);
	const id = cr.json.id;
	assert.equal(cr.json.dept.name, '城建办');
	const hops = [
		['chengjian', 'ownership', 8],
		['zhifa', 'function', 18],
		['lianjutang', 'territory', 7],
	];
	let o;
	for (const [login, reason, next] of hops) {
		o = await actOk(await as(login), id, 'return', { reason, text: '请改派' });
		assert.equal(o.state, 'returned');
		o = await actOk(d, id, 'assign', { unit_id: next });
	}
	assert.equal(o.transfer_count, 3);
	assert.equal(o.problem, false, 'the scan decides, not the action');
	return id;
}

test('sanfu audit verify passes on honest history and names an edited event or audit entry', async () => {
	const ok = await verify();
	assert.equal(ok.code, 0, ok.stdout + ok.stderr);
	const events = Number(one('SELECT COUNT(*) FROM order_events'));
	const entries = Number(one('SELECT COUNT(*) FROM audit_log'));
	assert.match(ok.stdout, new RegExp(`^events: ok, ${events} events verified$`, 'm'));
	assert.match(ok.stdout, new RegExp(`^audit: ok, ${entries} audit entries verified$`, 'm'));
	assert.ok(events > 500 && entries > 0, `${events} events, ${entries} audit entries`);

	// Someone edits event 5's body with sqlite3.
	const body5 = one('SELECT body FROM order_events WHERE id = 5');
	assert.notEqual(body5, '{}');
	sql("UPDATE order_events SET body = '{}' WHERE id = 5");
	const bad = await verify();
	assert.equal(bad.code, 3, bad.stdout + bad.stderr);
	assert.match(bad.stdout, /^events: BROKEN at event 5\b/m);
	assert.match(bad.stdout, /^audit: ok/m, 'the other chain is still fine');
	// The server keeps serving the order; putting the body back heals the chain.
	const orderOf5 = one('SELECT order_id FROM order_events WHERE id = 5');
	assert.equal((await (await as('admin')).get(`/api/v1/orders/${orderOf5}`)).status, 200);
	sql(`UPDATE order_events SET body = ${quote(body5)} WHERE id = 5`);
	assert.equal((await verify()).code, 0);

	// A rewritten actor on the newest event is caught too.
	const lastId = one('SELECT MAX(id) FROM order_events');
	const actor = one(`SELECT actor_name FROM order_events WHERE id = ${lastId}`);
	assert.notEqual(actor, '伪造者');
	sql(`UPDATE order_events SET actor_name = '伪造者' WHERE id = ${lastId}`);
	const forged = await verify();
	assert.equal(forged.code, 3);
	assert.match(forged.stdout, new RegExp(`^events: BROKEN at event ${lastId}\\b`, 'm'));
	sql(`UPDATE order_events SET actor_name = ${quote(actor)} WHERE id = ${lastId}`);

	// An event deleted from the middle breaks the chain at the one after it;
	// one cut off the end is caught by the chain's head.
	const att7 = Number(one('SELECT COUNT(*) FROM attachments WHERE event_id = 7'));
	assert.equal(att7, 0, 'event 7 has no attachment hanging on it');
	sql('CREATE TABLE kept_events AS SELECT * FROM order_events WHERE id = 7 OR id = ' + lastId);
	sql('DELETE FROM order_events WHERE id = 7');
	const gap = await verify();
	assert.equal(gap.code, 3, gap.stdout);
	assert.match(gap.stdout, /^events: BROKEN at event 8\b.*removed/m);
	sql('INSERT INTO order_events SELECT * FROM kept_events WHERE id = 7');
	assert.equal((await verify()).code, 0);
	sql(`DELETE FROM order_events WHERE id = ${lastId}`);
	const cut = await verify();
	assert.equal(cut.code, 3, cut.stdout);
	assert.match(cut.stdout, new RegExp(`^events: BROKEN at event ${lastId - 1}\\b.*head`, 'm'));
	sql(`INSERT INTO order_events SELECT * FROM kept_events WHERE id = ${lastId}`);
	sql('DROP TABLE kept_events');
	assert.equal((await verify()).code, 0);

	// Audit log: an edited reason is named by its entry.
	const aid = one('SELECT MAX(id) FROM audit_log');
	const reason = one(`SELECT reason FROM audit_log WHERE id = ${aid}`);
	sql(`UPDATE audit_log SET reason = 'nothing to see' WHERE id = ${aid}`);
	const audit = await verify();
	assert.equal(audit.code, 3, audit.stdout);
	assert.match(audit.stdout, new RegExp(`^audit: BROKEN at audit entry ${aid}\\b`, 'm'));
	assert.match(audit.stdout, /^events: ok/m);
	sql(`UPDATE audit_log SET reason = ${quote(reason)} WHERE id = ${aid}`);
	const healed = await verify();
	assert.equal(healed.code, 0, healed.stdout);
});

test('people cannot take the scan\'s actions themselves', async () => {
	const d = await as('dispatcher');
	const leader = await as('leader');
	const any = (await d.get('/api/v1/orders?state=in_progress')).json.items[0];
	for (const a of ['warn', 'overdue', 'escalate', 'problem']) {
		expectError(assert, await d.post(`/api/v1/orders/${any.id}/actions/${a}`, {}), 403,
			'action_not_allowed', 'action');
		expectError(assert, await leader.post(`/api/v1/orders/${any.id}/actions/${a}`, {}), 403,
			'action_not_allowed', 'action');
	}
});
