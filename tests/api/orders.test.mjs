// The work-order loop (issue 2) over HTTP as the people of the Cangqian demo
// do it: a dispatcher records a phone call, the department handles it, a
// named cadre calls back, the rating reopens or closes it; a leader finds
// what is overdue and supervises it; illegal or stale actions change
// nothing; Chinese search and the returning-caller phone lookup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, expectError, DB_KIND, demoLogins } from './lib.mjs';

let srv;

before(async () => {
	srv = await startServer({ seed: true });
});
after(async () => {
	if (srv) await srv.stop();
});

// One SQL statement on the test database (an oracle independent of the
// server's code); rows as arrays of strings.
function sql(q) {
	const r = DB_KIND === 'sqlite'
		? spawnSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, q], { encoding: 'utf8' })
		: spawnSync('psql', [srv.db, '-qAtc', q], { encoding: 'utf8' });
	assert.equal(r.status, 0, `${q}: ${r.stderr}`);
	const lines = r.stdout.split('\n');
	if (lines.at(-1) === '') lines.pop();
	return lines.map((l) => l.split('|'));
}

// A signed-in demo person (one session per login).
const as = demoLogins(() => srv);

// Every order the person's list gives, following the cursors, limit a page
// (each page checked to hold no more).
async function listAll(c, query = '', limit = 200) {
	const items = [];
	let cursor = null;
	for (let page = 0; page < 1000; page++) {
		const sep = query ? '&' : '';
		const r = await c.get(`/api/v1/orders?limit=${limit}${sep}${query}` +
			(cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
		assert.equal(r.status, 200, r.text);
		assert.ok(r.json.items.length <= limit, `a page of ${limit} holds ${r.json.items.length}`);
		items.push(...r.json.items);
		cursor = r.json.next_cursor;
		if (!cursor) return items;
	}
	throw new Error('the list never ends');
}

// A new order of the category "other", not routed; its id.
async function makeOther(c, title, description) {
	const r = await c.post('/api/v1/orders', {
		title, description, category: 'other', channel: 'phone', auto_route: false,
	});
	assert.equal(r.status, 201, r.text);
	return r.json.id;
}

async function detail(c, id) {
	const r = await c.get(`/api/v1/orders/${id}`);
	assert.equal(r.status, 200, r.text);
	return r.json;
}

function act(c, id, action, body) {
	return c.post(`/api/v1/orders/${id}/actions/${action}`, body || {});
}

async function actOk(c, id, action, body) {
	const r = await act(c, id, action, body);
	assert.equal(r.status, 200, `${action}: ${r.text}`);
	return r.json;
}

// Whether the server's calendar makes date (YYYY-MM-DD) a working day.
async function isWorkday(c, date) {
	const cal = await c.get(`/api/v1/calendar?year=${date.slice(0, 4)}`);
	assert.equal(cal.status, 200, cal.text);
	const special = cal.json.days.find((d) => d.date === date);
	if (special) return special.kind === 'workday';
	const dow = new Date(`${date}T12:00:00+08:00`).getUTCDay();
	return dow !== 0 && dow !== 6;
}

// The deadline the server's calendar gives for days working days from now.
async function deadlineIn(c, days) {
	const r = await c.get(`/api/v1/calendar/deadline?days=${days}`);
	assert.equal(r.status, 200, r.text);
	return r.json.deadline;
}

const END_OF_DAY = /^(\d{4}-\d\d-\d\d)T23:59:59\+08:00$/;

async function category(c, code) {
	const r = await c.get('/api/v1/categories');
	assert.equal(r.status, 200, r.text);
	const cat = r.json.items.find((x) => x.code === code);
	assert.ok(cat, `category ${code}`);
	return cat;
}

async function unitByCode(c, code) {
	const r = await c.get('/api/v1/units');
	assert.equal(r.status, 200, r.text);
	const u = r.json.items.find((x) => x.code === code);
	assert.ok(u, `unit ${code}`);
	return u;
}

const labels = (tl) => tl.map((e) => `${e.action}/${e.action_label}/${e.actor.name}`);

test('a phone call goes round the whole loop: routed, handled, called back, reopened, closed', async () => {
	const d = await as('dispatcher'); // 林悦
	const noise = await category(d, 'noise');
	assert.equal(noise.dept.name, '综合执法中队');
	const area = await unitByCode(d, 'CQ-CQSQ'); // 仓前社区
	const zhifa2 = await as('zhifa2'); // 袁浩, 综合执法中队
	const beforeDept = (await listAll(zhifa2)).length;

	const created = await d.post('/api/v1/orders', {
		title: '凤鸣路夜间KTV噪音扰民',
		description: '居民来电：凤鸣路18号一家KTV每晚到凌晨两点还在放音乐，噪音很大，孩子睡不着。',
		category: 'noise',
		channel: 'phone',
		requester: { kind: 'person', name: '周玉兰', phone: '13857101234' },
		address: '仓前社区凤鸣路18号',
		area_unit_id: area.id,
	});
	assert.equal(created.status, 201, created.text);
	const o = created.json;
	assert.equal(created.headers.get('location'), `/api/v1/orders/${o.id}`);
	assert.match(o.code, /^SF\d{8}-\d{4}$/);
	// Accepted and routed to the category's department at once.
	assert.equal(o.state, 'assigned');
	assert.equal(o.state_label, '已分派');
	assert.deepEqual(o.dept, { id: noise.dept.id, name: '综合执法中队' });
	assert.deepEqual(o.area, { id: area.id, name: '仓前社区' });
	assert.equal(o.channel, 'phone');
	assert.equal(o.accepted_on_time, true);
	// A working-day deadline: the end of a working day, Shanghai time, as
	// many working days out as the category allows for handling.
	const m = END_OF_DAY.exec(o.deadline);
	assert.ok(m, `deadline ${o.deadline} is the end of a day in +08:00`);
	assert.ok(await isWorkday(d, m[1]), `${m[1]} is a working day`);
	assert.equal(o.deadline, await deadlineIn(d, noise.handle_days));
	assert.equal(o.handle_deadline, o.deadline);
	assert.ok(Number.isInteger(o.workdays_left), `workdays_left ${o.workdays_left}`);
	assert.equal(o.workdays_left, noise.handle_days,
		'all the working days after today up to the deadline are left');
	assert.equal(o.overdue, false);
	// The phone is sealed: masked even for the dispatcher.
	assert.equal(o.requester.phone, '138****1234');
	assert.ok(!created.text.includes('13857101234'), 'no clear phone in the reply');
	assert.deepEqual(labels(o.timeline),
		['create/登记/林悦', 'accept/受理/林悦', 'assign/分派/林悦']);
	assert.deepEqual(o.actions, ['merge', 'note', 'attach']);

	// The department sees it and its head is told.
	const deptList = await listAll(zhifa2);
	assert.equal(deptList.length, beforeDept + 1);
	const mine = deptList.find((x) => x.id === o.id);
	assert.ok(mine, 'the new order is in the department list');
	assert.equal(mine.state, 'assigned');
	assert.equal(mine.requester.phone, '138****1234');
	const headNotes = await (await as('zhifa')).get('/api/v1/notifications');
	assert.equal(headNotes.status, 200, headNotes.text);
	const n = headNotes.json.items.find((x) => x.order && x.order.id === o.id);
	assert.ok(n, 'the department head got a notification');
	assert.equal(n.kind, 'assigned');
	assert.match(n.message, /综合执法中队/);
	let seen = await detail(zhifa2, o.id);
	assert.deepEqual(seen.actions, ['return', 'start', 'request_extension', 'resolve', 'note', 'attach']);

	// Handling.
	let r = await actOk(zhifa2, o.id, 'start', { version: seen.version });
	assert.equal(r.state, 'in_progress');
	assert.equal(r.state_label, '办理中');
	assert.deepEqual(r.handler, { id: r.handler.id, name: '袁浩' });
	r = await actOk(zhifa2, o.id, 'resolve', { result: '执法队员现场核查，责令KTV晚十点后降低音量并加装隔音棉。' });
	assert.equal(r.state, 'resolved');
	assert.equal(r.resolved_on_time, true);
	assert.match(r.result, /隔音棉/);
	assert.equal(r.deadline, await deadlineIn(d, noise.feedback_days), 'the return call is due');
	const feedbackDeadline = r.deadline;

	// A named cadre calls back: 罗建平, the community's secretary.
	const cq = await as('cangqian');
	seen = await detail(cq, o.id);
	assert.ok(seen.actions.includes('return_call'), seen.actions.join());
	assert.ok(!seen.actions.includes('resolve'), 'the community does not handle it');
	r = await actOk(cq, o.id, 'return_call', {
		channel: 'phone',
		contact: '周女士本人',
		summary: '音量有所降低，但凌晨仍能听到低音。',
	});
	assert.equal(r.state, 'feedback');
	assert.equal(r.feedback_on_time, true);
	let last = r.timeline[r.timeline.length - 1];
	assert.equal(last.action, 'return_call');
	assert.equal(last.action_label, '回访');
	assert.equal(last.actor.name, '罗建平');
	assert.equal(last.actor.role, 'community');
	assert.equal(last.details.channel, 'phone');
	assert.equal(last.details.contact, '周女士本人');
	assert.match(last.details.summary, /低音/);

	// Unsatisfied: reopened with a fresh handling deadline.
	r = await actOk(d, o.id, 'rate', { rating: 'unsatisfied', comment: '凌晨还是吵' });
	assert.equal(r.state, 'reopened');
	assert.equal(r.state_label, '重办');
	assert.equal(r.rating, 'unsatisfied');
	assert.equal(r.rating_label, '不满意');
	assert.equal(r.reopen_count, 1);
	assert.ok(END_OF_DAY.test(r.deadline), r.deadline);
	assert.ok(new Date(r.deadline) > new Date(feedbackDeadline),
		`the new deadline ${r.deadline} is later than the last one ${feedbackDeadline}`);
	assert.equal(r.deadline, await deadlineIn(d, noise.handle_days),
		'counted afresh from the reopening');
	assert.ok(Number.isInteger(r.workdays_left));
	const reopened = await listAll(zhifa2, 'state=reopened');
	const again = reopened.find((x) => x.id === o.id);
	assert.ok(again, 'back in the department list');
	assert.equal(again.state, 'reopened');
	assert.equal(again.reopen_count, 1);
	seen = await detail(zhifa2, o.id);
	assert.deepEqual(seen.actions, ['start', 'request_extension', 'resolve', 'note', 'attach']);

	// Handled again, called back by the 书记, satisfied, archived.
	r = await actOk(zhifa2, o.id, 'resolve', { result: '联合社区约谈业主，KTV凌晨停业整改。' });
	assert.equal(r.state, 'resolved');
	r = await actOk(await as('leader'), o.id, 'return_call', {
		channel: 'visit',
		contact: '周玉兰',
		summary: '上门回访，晚上已安静。',
	});
	assert.equal(r.state, 'feedback');
	r = await actOk(d, o.id, 'rate', { rating: 'satisfied' });
	assert.equal(r.state, 'feedback');
	assert.equal(r.rating, 'satisfied');
	assert.equal(r.rating_label, '满意');
	assert.equal(r.reopen_count, 1);
	assert.deepEqual(r.actions, ['rate', 'close', 'merge', 'note', 'attach']);
	r = await actOk(d, o.id, 'close', {});
	assert.equal(r.state, 'closed');
	assert.equal(r.state_label, '已归档');
	assert.equal(r.deadline, null);
	assert.ok(r.closed_at);
	assert.deepEqual(r.actions, ['note']);

	// The whole history, in order, with names and Chinese labels.
	assert.deepEqual(labels(r.timeline), [
		'create/登记/林悦',
		'accept/受理/林悦',
		'assign/分派/林悦',
		'start/开始办理/袁浩',
		'resolve/办结/袁浩',
		'return_call/回访/罗建平',
		'rate/评价/林悦',
		'resolve/办结/袁浩',
		'return_call/回访/沈建华',
		'rate/评价/林悦',
		'close/归档/林悦',
	]);
	assert.deepEqual(r.timeline.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
	for (let i = 1; i < r.timeline.length; i++) {
		assert.equal(r.timeline[i].from_state, r.timeline[i - 1].to_state, `event ${i + 1}`);
		assert.ok(r.timeline[i].at >= r.timeline[i - 1].at, 'times do not go back');
	}
	assert.equal(r.timeline[6].to_state, 'reopened');
	assert.equal(r.timeline[6].details.rating_label, '不满意');
	const ev = await d.get(`/api/v1/orders/${o.id}/events`);
	assert.equal(ev.status, 200, ev.text);
	assert.deepEqual(ev.json.items, r.timeline);
	// Closed orders leave the department's open work but stay readable.
	assert.ok(!(await listAll(zhifa2, 'state=assigned,in_progress,reopened')).some((x) => x.id === o.id));
	assert.equal((await detail(zhifa2, o.id)).state, 'closed');
});

const DEPT_LOGIN = {
	城建办: 'chengjian', 综合执法中队: 'zhifa', 社会事务办公室: 'shehui', 平安办: 'pingan',
	劳动保障所: 'laobao', 经济发展办公室: 'jingfa', 楼宇经济办公室: 'louyu',
	农业农村办公室: 'nongban', 党政办公室: 'dangzheng',
};

test('an unsatisfied rating on an order handled weeks ago gives it a new, later deadline', async () => {
	const d = await as('dispatcher');
	// A demo order whose handling deadline passed long ago, now waiting in
	// feedback or resolved.
	let before = null;
	for (const it of await listAll(d, 'state=feedback,resolved')) {
		const o = await detail(d, it.id);
		if (o.dept && DEPT_LOGIN[o.dept.name] && o.handle_deadline &&
		    new Date(o.handle_deadline) < new Date() &&
		    (!before || o.handle_deadline < before.handle_deadline))
			before = o;
	}
	assert.ok(before, 'the demo has an order finished after a deadline now past');
	const dept = await as(DEPT_LOGIN[before.dept.name]);
	const r = await actOk(d, before.id, 'rate', { rating: 'unsatisfied', comment: '问题没解决' });
	assert.equal(r.state, 'reopened');
	assert.equal(r.reopen_count, before.reopen_count + 1);
	assert.ok(new Date(r.deadline) > new Date(before.handle_deadline),
		`${r.deadline} is later than ${before.handle_deadline}`);
	assert.ok(new Date(r.deadline) > new Date(), 'and still ahead');
	assert.equal(r.handle_deadline, r.deadline);
	assert.equal(r.overdue, false);
	const cat = await category(d, before.category.code);
	assert.equal(r.deadline, await deadlineIn(d, cat.handle_days));
	const listed = (await listAll(dept, 'state=reopened')).find((x) => x.id === before.id);
	assert.ok(listed, 'the department sees it again');
	assert.equal(listed.state_label, '重办');
});

test('each person is offered exactly the actions they may take', async () => {
	const d = await as('dispatcher');
	// A submitted order (the demo's web reports wait in 待受理).
	const sub = (await listAll(d, 'state=submitted'))[0];
	assert.ok(sub, 'a submitted order');
	assert.deepEqual((await detail(d, sub.id)).actions, ['accept', 'reject', 'merge', 'note', 'attach']);
	assert.deepEqual((await detail(await as('admin'), sub.id)).actions,
		['accept', 'reject', 'merge', 'note', 'attach']);
	assert.deepEqual((await detail(await as('leader'), sub.id)).actions, ['note', 'attach']);
	// In progress: the handling unit works, the leader supervises and
	// decides extensions, the area's community only notes.
	const prog = (await listAll(d, 'state=in_progress')).find((x) => x.dept && x.dept.name === '城建办' &&
		x.area && x.area.name === '仓溢绿苑社区');
	assert.ok(prog, 'an in-progress order of 城建办 in 仓溢绿苑');
	const p = await detail(d, prog.id);
	assert.deepEqual(p.actions, ['merge', 'note', 'attach']);
	assert.deepEqual((await detail(await as('chengjian2'), prog.id)).actions,
		['return', 'request_extension', 'resolve', 'note', 'attach']);
	const leaderActs = (await detail(await as('leader'), prog.id)).actions;
	assert.deepEqual(leaderActs.filter((a) => a !== 'deny_extension'),
		['approve_extension', 'supervise', 'note', 'attach']);
	assert.equal(leaderActs.includes('deny_extension'), p.extension_pending,
		'deny is offered only when an extension waits');
	assert.deepEqual((await detail(await as('cangyi'), prog.id)).actions, ['note', 'attach']);
	// The resident who filed an order that is resolved may rate it, nothing else.
	const jumin = await as('jumin');
	const own = await listAll(jumin);
	assert.ok(own.length > 0);
	for (const it of own) {
		const acts = (await detail(jumin, it.id)).actions;
		const expected = ['resolved', 'feedback'].includes(it.state) ? ['rate'] : [];
		assert.deepEqual(acts, expected, `${it.state}`);
	}
});

test('a leader sees what is overdue and supervises it; the department head is told', async () => {
	const leader = await as('leader'); // 沈建华
	const all = await listAll(leader);
	const overdue = await listAll(leader, 'overdue=1');
	assert.ok(overdue.length > 0, 'the demo has overdue orders');
	assert.ok(overdue.every((x) => x.overdue === true), 'only overdue orders');
	assert.deepEqual(overdue.map((x) => x.id).sort((a, b) => a - b),
		all.filter((x) => x.overdue).map((x) => x.id).sort((a, b) => a - b),
		'all the overdue orders');
	assert.ok(overdue.every((x) => x.workdays_left === null || x.workdays_left <= 0),
		'an overdue order has no working days left');
	const notOverdue = await listAll(leader, 'overdue=0');
	assert.equal(notOverdue.length, all.length, 'overdue=0 does not filter');

	const target = overdue.find((x) => x.dept && !x.supervised) || overdue.find((x) => x.dept);
	assert.ok(target, 'an overdue order some department holds');
	const units = (await leader.get('/api/v1/units')).json.items;
	const unit = units.find((u) => u.id === target.dept.id);
	assert.ok(unit.head, `${unit.name} has a head`);
	const users = await leader.get('/api/v1/users?limit=200');
	assert.equal(users.status, 200, users.text);
	const head = users.json.items.find((u) => u.id === unit.head.id);
	const hc = await as(head.login);
	const unreadBefore = (await hc.get('/api/v1/notifications')).json.unread;

	const r = await actOk(leader, target.id, 'supervise', { text: '请本周内办结并报告' });
	assert.equal(r.supervised, true);
	assert.equal(r.state, target.state, 'supervising does not change the state');
	const last = r.timeline[r.timeline.length - 1];
	assert.equal(last.action, 'supervise');
	assert.equal(last.action_label, '督办');
	assert.equal(last.actor.name, '沈建华');
	assert.equal(last.details.note, '请本周内办结并报告');
	assert.ok((await listAll(leader, 'supervised=1')).some((x) => x.id === target.id));

	const notes = await hc.get('/api/v1/notifications');
	assert.equal(notes.status, 200, notes.text);
	assert.equal(notes.json.unread, unreadBefore + 1);
	const n = notes.json.items[0];
	assert.equal(n.kind, 'supervise');
	assert.equal(n.order.id, target.id);
	assert.equal(n.order.code, target.code);
	assert.equal(n.read, false);
	assert.match(n.message, /督办/);
	const read = await hc.post(`/api/v1/notifications/${n.id}/read`, {});
	assert.equal(read.status, 200, read.text);
	assert.equal((await hc.get('/api/v1/notifications')).json.unread, unreadBefore);

	// Only leaders supervise; nobody supervises what is not accepted yet.
	const d = await as('dispatcher');
	expectError(assert, await act(d, target.id, 'supervise', {}), 403, 'role_not_allowed');
	const sub = (await listAll(leader, 'state=submitted'))[0];
	expectError(assert, await act(leader, sub.id, 'supervise', {}), 409, 'illegal_transition');
});

test('an illegal transition is 409 and leaves the order as it was', async () => {
	const d = await as('dispatcher');
	const c = await d.post('/api/v1/orders', {
		title: '太炎社区东门路灯不亮',
		description: '东门口两盏路灯不亮。',
		category: 'street_light',
		channel: 'phone',
		auto_route: false,
	});
	assert.equal(c.status, 201, c.text);
	assert.equal(c.json.state, 'submitted');
	assert.equal(c.json.dept, null);
	assert.deepEqual(c.json.actions, ['accept', 'reject', 'merge', 'note', 'attach']);
	const id = c.json.id;
	const snap = async () => {
		const o = await detail(d, id);
		return { state: o.state, version: o.version, events: o.timeline.length, updated: o.updated_at };
	};
	const before = await snap();

	const r = await act(d, id, 'resolve', { result: '已修复' });
	expectError(assert, r, 409, 'illegal_transition');
	assert.match(r.json.error.message, /待受理/);
	expectError(assert, await act(d, id, 'close', {}), 409, 'illegal_transition');
	expectError(assert, await act(d, id, 'return_call', { channel: 'phone' }), 409, 'illegal_transition');
	expectError(assert, await act(d, id, 'rate', { rating: 'satisfied' }), 409, 'illegal_transition');
	expectError(assert, await act(d, id, 'start', {}), 409, 'illegal_transition');
	assert.deepEqual(await snap(), before);

	// A stale version: someone else changed the order in between.
	const ok = await actOk(d, id, 'accept', { version: before.version });
	assert.equal(ok.state, 'accepted');
	assert.equal(ok.version, before.version + 1);
	const mid = await snap();
	const stale = await act(d, id, 'note', { text: '补充：居民再次来电', version: before.version });
	expectError(assert, stale, 409, 'stale_version', 'version');
	const staleAssign = await act(d, id, 'assign', { unit_id: 7, version: before.version });
	expectError(assert, staleAssign, 409, 'stale_version', 'version');
	assert.deepEqual(await snap(), mid);
	const fresh = await actOk(d, id, 'note', { text: '补充：居民再次来电', version: mid.version });
	assert.equal(fresh.version, mid.version + 1);
	assert.equal(fresh.timeline.length, mid.events + 1);
	// A role the state allows but not for this person: 403, nothing changes.
	const cj = await as('chengjian');
	await actOk(d, id, 'assign', { unit_id: 7 });
	const assigned = await snap();
	expectError(assert, await act(cj, id, 'merge', { target_id: 1 }), 403, 'role_not_allowed');
	expectError(assert, await act(cj, id, 'close', {}), 409, 'illegal_transition');
	assert.deepEqual(await snap(), assigned);
});

test('search finds two- and three-character Chinese terms and nothing else', async () => {
	const d = await as('dispatcher');
	const mk = async (title, description, more = {}) => {
		const r = await d.post('/api/v1/orders', {
			title, description, category: 'other', channel: 'phone', auto_route: false, ...more,
		});
		assert.equal(r.status, 201, r.text);
		return r.json.id;
	};
	const a = await mk('梧桐巷路灯坏了', '梧桐巷口的路灯坏了三天。');
	const b = await mk('夜市摊位扰民', '晚上夜市的噪音太大，影响休息。');
	const c = await mk('路灯不亮', '桥头那盏路灯不亮，旁边的灯坏掉了很久。'); // 路灯 and 灯坏, not 路灯坏
	const ids = async (q) => (await listAll(d, `q=${encodeURIComponent(q)}`)).map((x) => x.id);
	// The oracle: every order whose text holds the term.
	const holding = (q) => sql(`SELECT id FROM orders WHERE title LIKE '%${q}%' OR description LIKE '%${q}%' ` +
		`OR address LIKE '%${q}%' OR requester_org LIKE '%${q}%' ORDER BY id`).map((row) => Number(row[0]));
	const sorted = (xs) => [...xs].sort((x, y) => x - y);

	const lamp = await ids('路灯');
	assert.ok(lamp.includes(a) && lamp.includes(c), '路灯 finds both street-light calls');
	assert.ok(!lamp.includes(b));
	assert.deepEqual(sorted(lamp), holding('路灯'));
	assert.ok(lamp.length >= 4, 'and the demo ones');

	const noise = await ids('噪音');
	assert.ok(noise.includes(b));
	assert.ok(!noise.includes(a) && !noise.includes(c));
	assert.deepEqual(sorted(noise), holding('噪音'));

	assert.deepEqual(await ids('梧桐巷'), [a]);
	assert.deepEqual(await ids('路灯坏'), [a], 'bigrams alone are not a match');
	assert.deepEqual(sorted(await ids('声控灯')), holding('声控灯'));
	assert.ok((await ids('声控灯')).length >= 1, 'the demo has a 声控灯 order');
	assert.deepEqual(await ids('梧桐巷路灯坏了三天'), [], 'title and description are not one text');
	assert.deepEqual(await ids('不存在的词'), []);
	// Results keep to the person's scope: the department sees only its own.
	const cj = await as('chengjian');
	const cjLamp = await listAll(cj, `q=${encodeURIComponent('路灯')}`);
	assert.ok(cjLamp.every((x) => x.dept && x.dept.name === '城建办'));
	assert.ok(!cjLamp.some((x) => x.id === a || x.id === c), 'not yet routed: not theirs');
});

test('a word far into a long description is found too', async () => {
	const d = await as('dispatcher');
	const filler = '居民反映情况，'.repeat(90); // 630 characters
	const r = await d.post('/api/v1/orders', {
		title: '长篇来电记录',
		description: `${filler}最后提到琵琶巷的井盖松动。`,
		category: 'other',
		channel: 'phone',
		auto_route: false,
	});
	assert.equal(r.status, 201, r.text);
	const found = await listAll(d, `q=${encodeURIComponent('琵琶巷')}`);
	assert.deepEqual(found.map((x) => x.id), [r.json.id],
		'the description is searchable to its end, as the list says it is');
});

test('a returning caller is found by phone for the dispatcher, refused to a department', async () => {
	const d = await as('dispatcher');
	const call = async (phone) => {
		const r = await d.post('/api/v1/orders', {
			title: '回头客来电', description: '同一位居民再次来电。', category: 'other',
			channel: 'phone', requester: { name: '钱阿姨', phone },
		});
		assert.equal(r.status, 201, r.text);
		return r.json.id;
	};
	const first = await call('13857109876');
	const second = await call('138 5710 9876');
	const other = await call('13857109875');
	const byPhone = async (c, p) => c.get(`/api/v1/orders?phone=${encodeURIComponent(p)}&limit=200`);
	for (const p of ['13857109876', '138-5710-9876', '+86 138 5710 9876']) {
		const r = await byPhone(d, p);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.items.map((x) => x.id).sort((x, y) => x - y), [first, second], p);
		assert.ok(r.json.items.every((x) => x.requester.phone === '138****9876'));
		assert.ok(!r.text.includes('13857109876'), 'the phone stays masked in the answer');
	}
	assert.deepEqual((await byPhone(d, '13857109875')).json.items.map((x) => x.id), [other]);
	assert.deepEqual((await byPhone(d, '13900000000')).json.items, []);
	expectError(assert, await byPhone(d, 'abc'), 400, 'invalid_field', 'phone');
	// The leader may too; a department, a community and a resident may not:
	// 403, not a silently ignored filter.
	assert.equal((await byPhone(await as('leader'), '13857109876')).json.items.length, 2);
	for (const login of ['zhifa', 'cangyi', 'grid1', 'jumin']) {
		const r = await byPhone(await as(login), '13857109876');
		expectError(assert, r, 403, 'role_not_allowed', 'phone');
	}
});

test('list filters: state, category, area, dates; a bad one is 400 naming it', async () => {
	const d = await as('dispatcher');
	const all = await listAll(d);
	const closed = await listAll(d, 'state=closed');
	assert.equal(closed.length, all.filter((x) => x.state === 'closed').length);
	assert.ok(closed.every((x) => x.state_label === '已归档'));
	const two = await listAll(d, 'state=submitted,accepted');
	assert.equal(two.length, all.filter((x) => ['submitted', 'accepted'].includes(x.state)).length);
	const transport = await listAll(d, 'category=transport');
	assert.ok(transport.length > 0 && transport.every((x) => x.category.code === 'transport'));
	const area = await unitByCode(d, 'CQ-LJTC'); // 连具塘村 and its groups
	const inVillage = await listAll(d, `area=${area.id}`);
	assert.ok(inVillage.length > 0 && inVillage.every((x) => x.area.name.startsWith('连具塘村')));
	const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
	const fromToday = await listAll(d, `from=${today}`);
	assert.ok(fromToday.every((x) => x.created_at.slice(0, 10) >= today));
	assert.equal((await listAll(d, `from=${today}&to=${today}`)).length, fromToday.length);
	for (const [q, field] of [
		['state=open', 'state'], ['category=nope', 'category'], ['area=99999', 'area'],
		['overdue=yes', 'overdue'], ['from=2026-02-30', 'from'], ['to=2026-13-01', 'to'],
		['from=yesterday', 'from'], ['sort=title', 'sort'], ['limit=0', 'limit'],
		['limit=201', 'limit'], ['cursor=bogus', 'cursor'],
		[`q=${'长'.repeat(51)}`, 'q'],
	]) {
		const r = await d.get(`/api/v1/orders?${encodeURI(q)}`);
		expectError(assert, r, 400, field === 'q' ? 'too_long' : 'invalid_field', field);
	}
	// Text that is not UTF-8 is refused for every route, like a JSON body's.
	const badUtf8 = await d.get('/api/v1/orders?q=%E8%B7%AF%E7');
	expectError(assert, badUtf8, 400, 'invalid_utf8', 'q');
});

test('paging with cursors gives every order exactly once, in order, for every sort', async () => {
	const d = await as('dispatcher');
	const all = await listAll(d);
	const key = {
		'-created': (o) => -Date.parse(o.created_at),
		created: (o) => Date.parse(o.created_at),
		deadline: (o) => (o.deadline ? Date.parse(o.deadline) : Infinity),
		'-updated': (o) => -Date.parse(o.updated_at),
	};
	// The bigram most titles hold, and a date half the orders are after:
	// the scan in a sort's order with a search term, and with a date range.
	const counts = new Map();
	for (const o of all)
		for (const b of new Set([...o.title].slice(1).map((ch, i) => o.title[i] + ch)))
			if (/^\p{Script=Han}{2}$/u.test(b)) counts.set(b, (counts.get(b) || 0) + 1);
	const [term, hits] = [...counts].sort((a, b) => b[1] - a[1])[0];
	assert.ok(hits >= 15, `${term} is in ${hits} titles`);
	const mid = [...all].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))[all.length >> 1];
	const filters = ['', `q=${encodeURIComponent(term)}`, `from=${encodeURIComponent(mid.created_at)}`];
	for (const filter of filters) {
		const want = filter ? await listAll(d, filter) : all;
		assert.ok(want.length >= 15 && (!filter || want.length < all.length), `${filter}: ${want.length} orders`);
		for (const sort of Object.keys(key)) {
			const seen = await listAll(d, `sort=${sort}${filter ? '&' + filter : ''}`, 7);
			const where = `${sort} ${filter}`;
			assert.equal(new Set(seen.map((o) => o.id)).size, seen.length, `${where}: no order twice`);
			assert.deepEqual(seen.map((o) => o.id).sort((a, b) => a - b),
				want.map((o) => o.id).sort((a, b) => a - b), `${where}: every order`);
			for (let i = 1; i < seen.length; i++)
				assert.ok(key[sort](seen[i - 1]) <= key[sort](seen[i]), `${where}: in order at ${i}`);
		}
	}
	for (const sort of Object.keys(key)) {
		// A cursor of one sort is refused by another.
		const first = await d.get(`/api/v1/orders?limit=7&sort=${sort}`);
		const other = sort === 'created' ? 'deadline' : 'created';
		expectError(assert, await d.get(`/api/v1/orders?limit=7&sort=${other}&cursor=${first.json.next_cursor}`),
			400, 'invalid_field', 'cursor');
	}
});

test('search treats % and _ as text, not wildcards', async () => {
	const d = await as('dispatcher');
	const r = await d.post('/api/v1/orders', {
		title: '优惠100%_返现咨询', description: '商家称100%_返现。', category: 'other', auto_route: false,
	});
	assert.equal(r.status, 201, r.text);
	const q = async (s) => (await listAll(d, `q=${encodeURIComponent(s)}`)).map((x) => x.id);
	assert.deepEqual(await q('%_'), [r.json.id]);
	assert.deepEqual(await q('%'), [r.json.id]);
	assert.deepEqual(await q('_'), [r.json.id]);
	assert.deepEqual(await q('0%_返'), [r.json.id]);
	assert.deepEqual(await q('%%'), []);
});

// Imported or generated orders can have creation times out of id order, and
// many in the same second: the search walks a term's postings by creation
// time, so every page must come in the sort's order, and the cursor must
// neither skip nor repeat an order, whichever term drives the walk.
test('search pages through orders created out of id order, newest first, none lost or repeated', async () => {
	const d = await as('dispatcher');
	const mk = (title) => makeOther(d, title, '居民来电反映。');
	const made = [];
	for (let i = 0; i < 14; i++) made.push(await mk(`琥珀巷第${i}号井盖松动`));
	for (let i = 0; i < 4; i++) made.push(await mk(`琥珀色的灯第${i}盏`)); // 琥珀, not 珀巷
	for (let i = 0; i < 3; i++) made.push(await mk(`琥珀和珀巷第${i}次`)); // both bigrams, not 琥珀巷
	const before = new Map(sql(`SELECT id, created_at FROM orders WHERE id IN (${made.join(',')})`)
		.map(([id, at]) => [Number(id), at]));
	// Times out of id order with ties (the id breaks them): 9 distinct minutes.
	const base = Number(before.get(made[0])) - 7200;
	made.forEach((id, i) => {
		const at = base + ((i * 5) % 9) * 60;
		sql(`UPDATE orders SET created_at = ${at} WHERE id = ${id}`);
		sql(`UPDATE order_terms SET created_at = ${at} WHERE order_id = ${id}`);
	});
	try {
		const oracle = (q, dir) => sql(`SELECT id FROM orders WHERE title LIKE '%${q}%' ` +
			`OR description LIKE '%${q}%' OR address LIKE '%${q}%' OR requester_org LIKE '%${q}%' ` +
			`ORDER BY created_at ${dir}, id ${dir}`).map((row) => Number(row[0]));
		const pages = async (q, sort) =>
			(await listAll(d, `sort=${sort}&q=${encodeURIComponent(q)}`, 4)).map((x) => x.id);
		for (const [q, n] of [['琥珀', 21], ['琥珀巷', 14], ['珀巷', 17], ['琥珀巷第1', 5]]) {
			const desc = oracle(q, 'DESC');
			assert.equal(desc.length, n, `${q}: the oracle finds ${n}`);
			assert.deepEqual(await pages(q, '-created'), desc, `${q}: newest first, each once`);
			assert.deepEqual(await pages(q, 'created'), [...desc].reverse(), `${q}: oldest first, each once`);
		}
		// A date range narrows the walk; the cursor still pages it whole.
		const iso = (t) => encodeURIComponent(new Date(t * 1000).toISOString().slice(0, 19) + '+00:00');
		const from = iso(base + 3 * 60);
		const to = iso(base + 6 * 60);
		const ranged = await listAll(d, `q=${encodeURIComponent('琥珀巷')}&from=${from}&to=${to}`);
		const want = sql(`SELECT id FROM orders WHERE title LIKE '%琥珀巷%' AND created_at >= ${base + 180} ` +
			`AND created_at <= ${base + 360} ORDER BY created_at DESC, id DESC`).map((row) => Number(row[0]));
		assert.ok(want.length > 0);
		assert.deepEqual(ranged.map((x) => x.id), want, 'the range, newest first');
	} finally {
		for (const [id, at] of before) {
			sql(`UPDATE orders SET created_at = ${at} WHERE id = ${id}`);
			sql(`UPDATE order_terms SET created_at = ${at} WHERE order_id = ${id}`);
		}
	}
});

test('two people acting on the same version at once: one wins, the others are told it is stale', async () => {
	const d = await as('dispatcher');
	const c = await d.post('/api/v1/orders', {
		title: '同时操作测试', description: '两位受理员同时补充。', category: 'other', auto_route: false,
	});
	assert.equal(c.status, 201, c.text);
	const { id, version } = c.json;
	const d2 = await as('dispatcher2');
	const tries = await Promise.all(Array.from({ length: 8 }, (_, i) =>
		act(i % 2 ? d2 : d, id, 'note', { text: `补充 ${i}`, version })));
	const won = tries.filter((r) => r.status === 200);
	assert.equal(won.length, 1, tries.map((r) => r.status).join());
	for (const r of tries.filter((x) => x.status !== 200))
		expectError(assert, r, 409, 'stale_version', 'version');
	const o = await detail(d, id);
	assert.equal(o.version, version + 1);
	assert.equal(o.timeline.filter((e) => e.action === 'note').length, 1);
	// Without a version, all of them go in, one after the other.
	const all = await Promise.all(Array.from({ length: 6 }, (_, i) =>
		act(i % 2 ? d2 : d, id, 'note', { text: `再补充 ${i}` })));
	assert.deepEqual(all.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
	const after = await detail(d, id);
	assert.equal(after.version, version + 7);
	assert.deepEqual(after.timeline.map((e) => e.seq), after.timeline.map((_, i) => i + 1));
});

test('the requester sees public notes and steps, never internal ones; a notification is its owner\'s', async () => {
	const d = await as('dispatcher');
	const jumin = await as('jumin');
	const own = (await jumin.get('/api/v1/orders')).json.items.find((o) => o.state === 'submitted');
	assert.ok(own, 'the resident has a report waiting');
	await actOk(d, own.id, 'note', { text: '内部：该楼栋物业合同到期，注意协调', public: false });
	await actOk(d, own.id, 'note', { text: '已联系物业，三日内维修', public: true });
	const mine = await detail(jumin, own.id);
	const texts = mine.timeline.filter((e) => e.action === 'note').map((e) => e.details.text);
	assert.deepEqual(texts, ['已联系物业，三日内维修']);
	assert.equal(mine.public_note, '已联系物业，三日内维修');
	assert.ok(!JSON.stringify(mine).includes('物业合同到期'));
	const ev = await jumin.get(`/api/v1/orders/${own.id}/events`);
	assert.ok(!ev.text.includes('物业合同到期'));
	assert.equal((await detail(d, own.id)).timeline.filter((e) => e.action === 'note').length, 2);
	// Someone else's notification cannot be marked read.
	const zhifa = await as('zhifa');
	const theirs = (await zhifa.get('/api/v1/notifications')).json.items.find((n) => !n.read);
	assert.ok(theirs, 'the head of 综合执法中队 has an unread notification');
	expectError(assert, await (await as('chengjian')).post(`/api/v1/notifications/${theirs.id}/read`, {}),
		404, 'not_found');
	assert.equal((await zhifa.get('/api/v1/notifications')).json.items.find((n) => n.id === theirs.id).read,
		false);
});

// Sorted by deadline or last change, a search whose terms are each common
// but seldom together (翡翠 and 翠柏 in many orders, 翡翠柏 in three) is
// driven by the least common term's orders; one whose terms go together is
// read in the sort's order. Either way every match comes once, in order.
test('search sorted by deadline or last change finds the same orders whichever plan it takes', async () => {
	const d = await as('dispatcher');
	const mk = (title) => makeOther(d, title, '网格员巡查发现。');
	for (let i = 0; i < 3; i++) await mk(`翡翠柏树倒伏第${i}棵`);
	for (let i = 0; i < 130; i++) await mk(`翡翠巷路面破损第${i}处`);
	for (let i = 0; i < 130; i++) await mk(`翠柏路积水第${i}处`);
	const key = {
		deadline: (o) => (o.deadline ? Date.parse(o.deadline) : Infinity),
		'-updated': (o) => -Date.parse(o.updated_at),
	};
	const oracle = (q) => sql(`SELECT id FROM orders WHERE title LIKE '%${q}%' OR description LIKE '%${q}%' ` +
		`OR address LIKE '%${q}%' OR requester_org LIKE '%${q}%'`).map((row) => Number(row[0])).sort((a, b) => a - b);
	for (const [q, n] of [['翡翠柏', 3], ['翡翠巷', 130], ['翠柏', 133], ['翡翠', 133]]) {
		const want = oracle(q);
		assert.equal(want.length, n, `${q}: the oracle finds ${n}`);
		for (const sort of Object.keys(key)) {
			const seen = await listAll(d, `sort=${sort}&q=${encodeURIComponent(q)}`, 2);
			assert.deepEqual(seen.map((o) => o.id).sort((a, b) => a - b), want, `${q} ${sort}: each match once`);
			for (let i = 1; i < seen.length; i++)
				assert.ok(key[sort](seen[i - 1]) <= key[sort](seen[i]), `${q} ${sort}: in order at ${i}`);
		}
	}
});
