// Robustness sweep: every operation of data/openapi.json (and the Open311
// routes) gets hostile input — wrong types, empty, huge, NUL, lone
// surrogates, control and RTL characters, huge and negative numbers, deep
// nesting in each body field; bad path ids; garbage and repeated query
// parameters; bodies that are not JSON, not UTF-8 or of the wrong type —
// as several demo roles. Nothing may answer 5xx or crash the server; a 4xx
// has the one error shape. The combinations are fixed (a seeded PRNG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, client, addUser, ROOT } from './lib.mjs';

const PW = 'Sanfu2026';
const doc = JSON.parse(readFileSync(path.join(ROOT, 'data/openapi.json'), 'utf8'));
let srv;
const as = {}; // login -> signed-in client
const ids = {}; // resource -> a real id
let anon;
let o311Key;

// A raw piece of JSON text (numbers JavaScript cannot write exactly).
class Raw {
	constructor(text) {
		this.text = text;
	}
}
function ser(v) {
	if (v instanceof Raw) return v.text;
	if (Array.isArray(v)) return `[${v.map(ser).join(',')}]`;
	if (v && typeof v === 'object')
		return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${ser(x)}`).join(',')}}`;
	return JSON.stringify(v);
}
const nest = (n) => new Raw('['.repeat(n) + ']'.repeat(n));
const nestObj = (n) => new Raw('{"a":'.repeat(n) + '1' + '}'.repeat(n));

// The hostile values every body field gets.
const HOSTILE = [
	0, -1, 1.5, -0.5, 1e308, new Raw('9000000000000000000'), new Raw('9223372036854775807'),
	new Raw('9223372036854775808'), new Raw('-9223372036854775809'),
	new Raw('99999999999999999999999999'), new Raw('1e400'), new Raw('-0'),
	true, false, null, [], [1, 'a', null], {}, { a: { b: [1] } },
	'', '   ', '\t\r\n', 'x'.repeat(10000), '中'.repeat(10000), 'a\u0000b', '\u0000',
	'\ud800', 'a\udc00b', '\u0001\u0008\u001b\u007f\u0085', '\u202eevil\u202c שלום مرحبا',
	'😀👍🏽🇨🇳', '仓前街道測試', '0', '-1', '9e18', '1.5', 'true', 'null', '2026-02-30',
	'<script>alert(1)</script>', "' OR 1=1 --", '%s%n%x', '../../etc/passwd',
	nest(200), nestObj(200), nest(5000),
];

// Deterministic PRNG (mulberry32) for sampling.
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function resolve(x) {
	while (x && x.$ref) {
		let node = doc;
		for (const part of x.$ref.slice(2).split('/')) node = node[part];
		x = node;
	}
	return x;
}

// A plausible value for a schema (the base a hostile field is put into).
function sample(schema, depth = 0) {
	const s = resolve(schema) || {};
	if (s.example !== undefined) return s.example;
	if (s.enum) return s.enum[0];
	if (s.allOf) return sample(s.allOf[0], depth);
	if (s.oneOf || s.anyOf) return sample((s.oneOf || s.anyOf)[0], depth);
	const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
	switch (type) {
	case 'integer': return s.minimum > 1 ? s.minimum : 1;
	case 'number': return 30.29;
	case 'boolean': return true;
	case 'array': return depth > 2 ? [] : [sample(s.items || {}, depth + 1)];
	case 'object': {
		const o = {};
		if (depth > 2) return o;
		for (const k of s.required || []) o[k] = sample((s.properties || {})[k], depth + 1);
		return o;
	}
	default:
		if (s.format === 'date') return '2026-03-02';
		if (s.format === 'date-time') return '2026-03-02T10:00:00+08:00';
		return '测试';
	}
}

// Every field of a body schema as a path: ['requester','name'], ['checks',0,'ok'].
function fieldPaths(schema, prefix = [], depth = 0) {
	const s = resolve(schema) || {};
	const out = [];
	for (const [k, v] of Object.entries(s.properties || {})) {
		const p = [...prefix, k];
		out.push(p);
		const r = resolve(v) || {};
		if (depth < 2 && r.properties) out.push(...fieldPaths(r, p, depth + 1));
		if (depth < 2 && r.items && resolve(r.items).properties)
			out.push(...fieldPaths(resolve(r.items), [...p, 0], depth + 1));
	}
	return out;
}

function withField(base, p, value) {
	const body = structuredClone(base);
	let node = body;
	for (let i = 0; i < p.length - 1; i++) {
		const k = p[i];
		const next = typeof p[i + 1] === 'number' ? [] : {};
		if (node[k] === null || typeof node[k] !== 'object') node[k] = next;
		if (typeof p[i + 1] === 'number' && node[k].length === 0) node[k].push({});
		node = node[k];
	}
	node[p[p.length - 1]] = value;
	return body;
}

// ---- the set-up: people and real ids ----

const LOGINS = ['admin', 'leader', 'dispatcher', 'jingfa', 'cangyi', 'grid1', 'operator', 'qiye',
	'jumin'];

before(async () => {
	srv = await startServer({ seed: true });
	for (const l of LOGINS) {
		const c = client(srv.url);
		const r = await c.login(l, PW);
		assert.equal(r.status, 200, `login ${l}: ${r.text}`);
		as[l] = c;
	}
	anon = client(srv.url);
	const a = as.admin;
	const first = async (p, key = 'items') => {
		const r = await a.get(p);
		assert.equal(r.status, 200, `${p}: ${r.text}`);
		const list = Array.isArray(r.json) ? r.json : r.json[key] || r.json.items || [];
		return list.length ? list[0].id : 1;
	};
	ids.order = await first('/api/v1/orders?state=in_progress');
	ids.category = await first('/api/v1/categories');
	ids.unit = await first('/api/v1/units');
	ids.enterprise = await first('/api/v1/enterprises');
	ids.household = await first('/api/v1/households');
	ids.place = await first('/api/v1/places');
	ids.village_group = await first('/api/v1/village-groups');
	ids.visit = await first('/api/v1/visits');
	ids.campaign = await first('/api/v1/campaigns');
	ids.hazard = await first('/api/v1/hazards');
	ids.notification = await first('/api/v1/notifications');
	const hs = await a.get('/api/v1/households?limit=30');
	ids.resident = 1;
	for (const it of hs.json.items) {
		const h = await a.get(`/api/v1/households/${it.id}`);
		if (h.json && h.json.residents && h.json.residents.length) {
			ids.resident = h.json.residents[0].id;
			break;
		}
	}
	if (ids.resident === 1) {
		const r = await a.post(`/api/v1/households/${ids.household}/residents`, { name: '张三' });
		assert.equal(r.status, 201, r.text);
		ids.resident = r.json.residents ? r.json.residents.at(-1).id : r.json.id;
	}
	// A user of its own for users.update, and one for me/password and logout.
	assert.equal((await addUser(srv, 'robust-target', 'Passw0rd-robust', 'dispatcher')).code, 0);
	assert.equal((await addUser(srv, 'robust-self', 'Passw0rd-robust', 'dispatcher')).code, 0);
	const u = await a.get('/api/v1/users?q=robust-target');
	ids.user = u.json.items.find((x) => x.login === 'robust-target').id;
	for (const who of ['self', 'out']) {
		const c = client(srv.url);
		assert.equal((await c.login('robust-self', 'Passw0rd-robust')).status, 200);
		as[who] = c;
	}
	const k = await srv.sanfu('apikey', 'add', 'robust');
	assert.equal(k.code, 0, k.stderr);
	o311Key = k.stdout.trim();
	// A tracking code and its secret from the public portal.
	const p = await anon.post('/api/v1/public/orders', {
		category: 'road_damage', description: '仓兴街路面塌陷，请尽快修复。', address: '仓兴街12号',
	});
	assert.equal(p.status, 201, p.text);
	ids.code = p.json.tracking_code;
	ids.secret = p.json.secret;
});
after(async () => {
	if (srv) await srv.stop();
});

// ---- sending and judging ----

// How often each status came back, for the test's diagnostics.
let tally = new Map();
const tallied = () => [...tally].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ');

function isO311(p) {
	return p.startsWith('/open311/');
}

// Judge one answer: no 5xx; a 4xx has the right error shape.
function judge(what, r, o311) {
	if (r.status >= 500) return `${what}: ${r.status} ${r.text.slice(0, 300)}`;
	if (r.status >= 400) {
		const type = r.headers.get('content-type') || '';
		if (o311) {
			if (type.includes('xml')) {
				if (!/<errors>/.test(r.text)) return `${what}: ${r.status} not an Open311 XML error`;
			} else {
				let j = null;
				try {
					j = JSON.parse(r.text);
				} catch {
					/* judged below */
				}
				if (!Array.isArray(j) || !j[0] || typeof j[0].description !== 'string' ||
				    j[0].code !== r.status)
					return `${what}: ${r.status} not an Open311 JSON error: ${r.text.slice(0, 200)}`;
			}
		} else {
			const e = r.json && r.json.error;
			if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' ||
			    !e.message.length || typeof e.field !== 'string')
				return `${what}: ${r.status} without the error shape: ${r.text.slice(0, 200)}`;
		}
	}
	return null;
}

// Send one request; a dropped connection (a crash) is a failure too.
async function send(c, method, p, body, o, what) {
	let r;
	try {
		r = await c.request(method, p, body, o);
	} catch (e) {
		return `${what}: ${method} ${p.slice(0, 120)}: no answer (${e.cause ? e.cause.code : e.message})`;
	}
	tally.set(r.status, (tally.get(r.status) || 0) + 1);
	return judge(`${what}: ${method} ${p.slice(0, 120)}`, r, isO311(p));
}

async function alive() {
	try {
		const r = await fetch(`${srv.url}/healthz`);
		await r.arrayBuffer();
		return r.status === 200;
	} catch {
		return false;
	}
}

// ---- the operations ----

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const ops = [];
for (const [p, item] of Object.entries(doc.paths))
	for (const m of METHODS)
		if (item[m]) ops.push({ method: m.toUpperCase(), path: p, op: item[m] });

// The real value for each path parameter of an operation.
function realParam(p, name) {
	if (name === 'code') return ids.code;
	if (name === 'action') return 'note';
	if (name === 'aid' || name === 'target_id' || name === 'user_id') return '1';
	const res = p.split('/')[3];
	const map = {
		orders: 'order', categories: 'category', units: 'unit', users: 'user',
		enterprises: 'enterprise', households: 'household', residents: 'resident',
		places: 'place', 'village-groups': 'village_group', visits: 'visit',
		campaigns: 'campaign', hazards: 'hazard', notifications: 'notification',
		pairing: 'user',
	};
	return String(ids[map[res]] ?? 1);
}
const fill = (p, vals = {}) =>
	p.replace(/\{(\w+)\}/g, (_, n) => (n in vals ? vals[n] : realParam(p, n)));

// The client an operation is tried with first, and the other roles.
function clientsFor(o, rnd) {
	if (o.path === '/api/v1/auth/logout') return [as.out, anon];
	if (o.path === '/api/v1/me/password') return [as.self, anon];
	if (o.path === '/api/v1/auth/login' || o.path.startsWith('/api/v1/public/'))
		return [anon, as.jumin];
	const others = LOGINS.filter((l) => l !== 'admin');
	return [as.admin, as[others[Math.floor(rnd() * others.length)]], anon];
}

function jsonBody(o) {
	const c = o.op.requestBody && o.op.requestBody.content;
	return c && c['application/json'];
}
function baseBody(o, media) {
	let b;
	if (media.example !== undefined) b = structuredClone(media.example);
	else if (media.examples) b = structuredClone(Object.values(media.examples)[0].value);
	else b = sample(media.schema);
	if (!b || typeof b !== 'object' || Array.isArray(b)) b = {};
	if (o.path === '/api/v1/me/password') b.old_password = 'Passw0rd-robust';
	if (o.path === '/api/v1/auth/login') b.login = 'nobody-robust';
	if (o.path === '/api/v1/public/orders/{code}/rate') b.secret = ids.secret;
	return b;
}

// Garbage for query parameters (as URL text, already encoded).
const QGARBAGE = ['', 'abc', '-1', '0', '99999999999999999999', '1.5', '%00', 'a%00b',
	'%ED%A0%80', '%FF%FE', '%0D%0A', encodeURIComponent('\u202e中文😀'), 'x'.repeat(5000),
	'2026-13-45', '%27%20OR%201%3D1', '9223372036854775808', '-9223372036854775809'];
// Hostile path ids.
const PGARBAGE = ['0', '-1', '99999999999999999999', '9223372036854775808', 'abc', '%00',
	'1%00', '%ED%A0%80', '1.5', '0x10', ' 1', '+1', '1e3', 'x'.repeat(3000), '%2F..%2F'];

// Raw bodies that are not the JSON object asked for.
const RAW_BODIES = [
	['application/json', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x7d])],
	['application/json', Buffer.from('{"a":"\xed\xa0\x80"}', 'latin1')],
	['application/json', '{"title": "ab'],
	['application/json', '{'],
	['application/json', '[1,2,3]'],
	['application/json', '[]'],
	['application/json', '"a string"'],
	['application/json', 'null'],
	['application/json', '12345'],
	['application/json', ''],
	['application/json', '{"a":1}garbage'],
	['application/json', '{"a":1,"a":2}'],
	['application/json', '\ufeff{}'],
	['application/json', '['.repeat(400000)],
	['application/json', '{"a":' + '{"a":'.repeat(100000)],
	['text/plain', '{}'],
	['application/x-www-form-urlencoded', 'a=1&b=2'],
	['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n'],
	['multipart/form-data', 'garbage'],
	['application/json; charset=latin1', '{}'],
	['application/jsonx', '{}'],
	['image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])],
	['text/csv', 'a,b,c\n"unterminated\n'],
	['text/csv', Buffer.from([0xff, 0xfe, 0x2c, 0x0a, 0x00, 0x2c])],
	[null, '{}'],
];

for (const o of ops) {
	test(`${o.method} ${o.path} (${o.op.operationId}) takes hostile input without a 5xx`, async (t) => {
		tally = new Map();
		const rnd = prng(o.op.operationId.split('').reduce((h, ch) => h * 31 + ch.charCodeAt(0), 7));
		const bad = [];
		const [first, second, third] = clientsFor(o, rnd);
		const note = async (c, method, p, body, opts, what) => {
			const f = await send(c, method, p, body, opts, what);
			if (f) bad.push(f);
		};
		const url = fill(o.path);
		const params = (o.op.parameters || []).map(resolve);
		const media = jsonBody(o);

		// Body fields: every field gets every hostile value as the first
		// client, a sample as another role.
		if (media) {
			const bases = [];
			if (o.op.operationId === 'ordersAction') {
				for (const a of resolve(params.find((x) => x.name === 'action')).schema.enum) {
					const ex = media.examples && media.examples[a];
					bases.push([fill(o.path, { action: a }), ex ? ex.value : {}]);
				}
			} else {
				bases.push([url, baseBody(o, media)]);
			}
			const fields = fieldPaths(media.schema);
			if (!fields.length) fields.push(['services'], ['x']);
			for (const [u, base] of bases) {
				const b = await first.request(o.method, u, base);
				t.diagnostic(`base ${u.slice(-40)}: ${b.status} ${b.json && b.json.error ? b.json.error.code + ' ' + b.json.error.field : ''}`);
				for (const f of fields) {
					for (const h of HOSTILE) {
						const body = new Raw(ser(withField(base, f, h)));
						const c = rnd() < 0.25 ? second || first : first;
						await note(c, o.method, u, body.text,
							{ raw: true, headers: { 'Content-Type': 'application/json' } },
							`field ${f.join('.')}=${ser(h).slice(0, 40)}`);
					}
				}
				// The whole body replaced by each hostile value.
				for (const h of HOSTILE)
					await note(first, o.method, u, ser(h),
						{ raw: true, headers: { 'Content-Type': 'application/json' } },
						`body=${ser(h).slice(0, 40)}`);
			}
		}

		// Raw bodies and content types, to every operation that takes a body.
		if (o.method !== 'GET') {
			for (const [type, body] of RAW_BODIES) {
				const headers = type ? { 'Content-Type': type } : {};
				await note(first, o.method, url, body, { raw: true, headers },
					`raw ${type} ${String(body).slice(0, 30)}`);
			}
			// Just over the 1 MiB cap.
			await note(first, o.method, url, `{"a":"${'x'.repeat(1 << 20)}"}`,
				{ raw: true, headers: { 'Content-Type': 'application/json' } }, 'body > 1 MiB');
		}

		// Path parameters: each one hostile, the others real.
		for (const prm of params.filter((x) => x.in === 'path')) {
			for (const g of PGARBAGE) {
				const u = fill(o.path, { [prm.name]: g });
				const body = o.method === 'GET' ? undefined : '{}';
				await note(first, o.method, u, body,
					{ raw: true, headers: { 'Content-Type': 'application/json' } },
					`path ${prm.name}=${g.slice(0, 30)}`);
			}
		}

		// Query parameters: every documented one with garbage, repeated
		// keys, and many parameters at once.
		const qs = params.filter((x) => x.in === 'query').map((x) => x.name);
		const sep = url.includes('?') ? '&' : '?';
		const body = o.method === 'GET' ? undefined : '{}';
		const qo = { raw: true, headers: { 'Content-Type': 'application/json' } };
		for (const q of qs) {
			for (const g of QGARBAGE) {
				const c = rnd() < 0.25 ? second || first : first;
				await note(c, o.method, `${url}${sep}${q}=${g}`, body, qo, `query ${q}=${g.slice(0, 30)}`);
			}
			await note(first, o.method, `${url}${sep}${q}=1&${q}=2&${q}=abc`, body, qo,
				`query ${q} repeated`);
			await note(first, o.method, `${url}${sep}${q}`, body, qo, `query ${q} without =`);
		}
		const many = (n) => Array.from({ length: n }, (_, i) =>
			`${qs.length ? qs[i % qs.length] : 'p' + i}=${i}`).join('&');
		await note(first, o.method, `${url}${sep}${many(49)}`, body, qo, '49 query parameters');
		await note(first, o.method, `${url}${sep}${many(200)}`, body, qo, '200 query parameters');
		await note(first, o.method, `${url}${sep}&&&=&=x&%00=%00`, body, qo, 'empty query keys');
		if (third) await note(third, o.method, url, body, qo, 'no session');

		t.diagnostic(`statuses: ${tallied()}`);
		assert.ok(await alive(), `the server died on ${o.method} ${o.path}: ${bad.join('\n')}`);
		assert.deepEqual(bad, [], bad.slice(0, 30).join('\n'));
	});
}

// ---- Open311 ----

const O311_GET = ['services.json', 'services.xml', 'services/road_damage.json',
	'services/noise.xml', 'requests.json', 'requests.xml', 'requests/1.json', 'discovery.json',
	'tokens/abc.json'];
const O311_QUERY = ['jurisdiction_id', 'service_code', 'start_date', 'end_date', 'status',
	'service_request_id', 'extensions', 'api_key'];
const O311_FORM = ['api_key', 'service_code', 'lat', 'long', 'address_string', 'address_id',
	'email', 'device_id', 'account_id', 'first_name', 'last_name', 'phone', 'description',
	'media_url', 'attribute[TIME_OF_DAY]', 'attribute[POLE_ID]', 'jurisdiction_id'];

test('Open311 GET routes take garbage without a 5xx', async () => {
	const bad = [];
	for (const p of O311_GET) {
		for (const q of O311_QUERY) {
			for (const g of QGARBAGE) {
				const f = await send(anon, 'GET', `/open311/v2/${p}?${q}=${g}`, undefined, {},
					`${q}=${g.slice(0, 30)}`);
				if (f) bad.push(f);
			}
		}
		for (const g of PGARBAGE) {
			const f = await send(anon, 'GET', `/open311/v2/${p.replace(/^[a-z]+/, g)}`, undefined,
				{}, 'path');
			if (f) bad.push(f);
		}
		const many = Array.from({ length: 49 }, (_, i) => `${O311_QUERY[i % 8]}=${i}`).join('&');
		const f = await send(anon, 'GET', `/open311/v2/${p}?${many}`, undefined, {}, '49 params');
		if (f) bad.push(f);
	}
	for (const g of PGARBAGE) {
		for (const kind of ['services', 'requests', 'tokens']) {
			const f = await send(anon, 'GET', `/open311/v2/${kind}/${g}.json`, undefined, {},
				`item ${g.slice(0, 30)}`);
			if (f) bad.push(f);
		}
	}
	assert.ok(await alive());
	assert.deepEqual(bad, [], bad.slice(0, 30).join('\n'));
});

test('Open311 POST requests takes garbage forms without a 5xx', async () => {
	const bad = [];
	const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
	const base = { api_key: o311Key, service_code: 'road_damage', address_string: '仓前街道',
		description: '路面破损' };
	const enc = (o) => Object.entries(o).map(([k, v]) =>
		`${encodeURIComponent(k)}=${v}`).join('&');
	const baseEnc = Object.fromEntries(Object.entries(base).map(([k, v]) =>
		[k, encodeURIComponent(v)]));
	for (const fmt of ['json', 'xml']) {
		for (const field of O311_FORM) {
			for (const g of QGARBAGE) {
				const f = await send(anon, 'POST', `/open311/v2/requests.${fmt}`,
					enc({ ...baseEnc, [field]: g }), { raw: true, headers: FORM },
					`form ${field}=${g.slice(0, 30)}`);
				if (f) bad.push(f);
			}
		}
		for (const [type, body] of RAW_BODIES) {
			const f = await send(anon, 'POST', `/open311/v2/requests.${fmt}`, body,
				{ raw: true, headers: type ? { 'Content-Type': type } : {} }, `raw ${type}`);
			if (f) bad.push(f);
		}
		const f = await send(anon, 'POST', `/open311/v2/requests.${fmt}`,
			`${enc(baseEnc)}&description=${'x'.repeat(1 << 20)}`, { raw: true, headers: FORM },
			'form > 1 MiB');
		if (f) bad.push(f);
	}
	assert.ok(await alive());
	assert.deepEqual(bad, [], bad.slice(0, 30).join('\n'));
});

// Unknown paths and methods under the API answer a 4xx in the error shape.
test('unknown paths and methods answer 4xx in the error shape', async () => {
	const bad = [];
	for (const [m, p] of [['GET', '/api/v1/nothing'], ['DELETE', '/api/v1/orders'],
		['PUT', '/api/v1/me'], ['GET', '/api/v1/orders/1/2/3/4'], ['GET', '/api/v1/%00'],
		['GET', '/api/v1/' + 'x'.repeat(8000)], ['PATCH', '/healthz'],
		['GET', '/api/v1/orders/%ED%A0%80/events']]) {
		for (const c of [anon, as.admin]) {
			const f = await send(c, m, p, m === 'GET' ? undefined : '{}',
				{ raw: true, headers: { 'Content-Type': 'application/json' } }, 'unknown');
			if (f) bad.push(f);
		}
	}
	// Bearer tokens and cookies that are garbage.
	for (const h of [{ Authorization: 'Bearer ' }, { Authorization: 'Bearer \u00ff' },
		{ Authorization: 'Bearer ' + 'x'.repeat(5000) }, { Authorization: 'Basic abc' },
		{ Cookie: 'sanfu_session=' + 'x'.repeat(5000) }, { Cookie: 'sanfu_session=%00' }]) {
		const f = await send(anon, 'GET', '/api/v1/me', undefined, { headers: h }, 'auth header');
		if (f) bad.push(f);
	}
	assert.ok(await alive());
	assert.deepEqual(bad, [], bad.join('\n'));
});
