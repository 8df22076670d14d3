// The OpenAPI document (data/openapi.json, served at /api/v1/openapi.json)
// stays true to the server: it is a well-formed OpenAPI 3 document, it
// lists exactly the routes of src/api/routes.c (Open311 aside) with their
// route names, public/signed-in status and roles, the required fields,
// length caps and closed bodies it documents are what the server enforces,
// and the answers of the main resources match its schemas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, client, expectError } from './lib.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ROLES = ['admin', 'leader', 'dispatcher', 'dept', 'community', 'grid', 'operator',
	'enterprise', 'resident'];

let srv;
let doc;

before(async () => {
	srv = await startServer({ seed: true });
	const r = await client(srv.url).get('/api/v1/openapi.json');
	assert.equal(r.status, 200, r.text);
	assert.match(r.headers.get('content-type'), /^application\/json/);
	doc = JSON.parse(r.text);
});
after(async () => {
	if (srv) await srv.stop();
});

// ---- the route table, read from the C source ----

function stripComments(src) {
	return src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

// #define NAME body (with line continuations) of a C file.
function defines(src) {
	const out = {};
	const text = src.replace(/\\\n/g, ' ');
	for (const m of text.matchAll(/^[ \t]*#define[ \t]+(\w+)[ \t]+([^\n]+)$/gm))
		out[m[1]] = m[2].trim();
	return out;
}

// A roles expression of routes.c (0, SF_ROLE_BIT(SF_ROLE_X), macros, |)
// as the sorted list of role names; null for 0 (any signed-in role).
function evalRoles(expr, macros, depth = 0) {
	assert.ok(depth < 10, `roles macro loop at ${expr}`);
	const e = expr.replace(/SF_ROLE_BIT\(\s*SF_ROLE_(\w+)\s*\)/g, '@$1').replace(/[()]/g, ' ');
	if (e.trim() === '0') return null;
	const set = new Set();
	for (const term of e.split('|').map((t) => t.trim())) {
		if (term.startsWith('@')) {
			set.add(term.slice(1).toLowerCase());
		} else if (macros[term] !== undefined) {
			const sub = evalRoles(macros[term], macros, depth + 1);
			assert.ok(sub, `macro ${term} is 0`);
			sub.forEach((r) => set.add(r));
		} else {
			assert.fail(`cannot read the roles expression "${expr}" (term "${term}")`);
		}
	}
	return [...set].sort();
}

function routeTable() {
	const src = readFileSync(path.join(ROOT, 'src/api/routes.c'), 'utf8');
	const roleH = readFileSync(path.join(ROOT, 'src/domain/role.h'), 'utf8');
	const macros = { ...defines(stripComments(roleH)), ...defines(stripComments(src)) };
	const body = stripComments(src);
	// { "METHOD", "pattern", handler, flags, roles, "name" }
	const re = new RegExp(['\\{\\s*"([A-Z]+)"', '"([^"]+)"', '(\\w+)', '([^,]+?)', '([^,]+?)',
		'"([^"]+)"\\s*\\}'].join('\\s*,\\s*'), 'g');
	const routes = [];
	for (const m of body.matchAll(re)) {
		const [, method, pattern, handler, flags, roles, name] = m;
		routes.push({
			method, pattern, handler, name,
			flags: flags.split('|').map((f) => f.trim()),
			roles: evalRoles(roles, macros),
		});
	}
	// Every route line is understood: as many entries as "{ "METHOD"," openings.
	const entries = [...body.matchAll(/\{\s*"[A-Z]+"\s*,/g)].length;
	assert.equal(routes.length, entries, 'a route entry of routes.c was not parsed');
	assert.ok(routes.length > 40, `only ${routes.length} routes parsed`);
	return routes;
}

const isOpen311 = (p) => p.startsWith('/open311/v2/');

function operations(d) {
	const ops = [];
	for (const [p, item] of Object.entries(d.paths))
		for (const m of METHODS)
			if (item[m]) ops.push({ method: m.toUpperCase(), path: p, op: item[m], item });
	return ops;
}

// ---- the document's own structure ----

function resolve(d, ref) {
	assert.match(ref, /^#\//, `only local references: ${ref}`);
	let node = d;
	for (const part of ref.slice(2).split('/')) {
		const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
		assert.ok(node && Object.hasOwn(node, key), `unresolved $ref ${ref}`);
		node = node[key];
	}
	return node;
}

const deref = (d, x) => (x && x.$ref ? deref(d, resolve(d, x.$ref)) : x);

test('the served document is OpenAPI 3 and the file in data/', async () => {
	assert.match(doc.openapi, /^3\.\d+\.\d+$/);
	assert.equal(typeof doc.info.title, 'string');
	assert.equal(typeof doc.info.version, 'string');
	assert.match(doc.info.description, /open311\/v2/, 'info.description mentions Open311');
	const file = JSON.parse(readFileSync(path.join(ROOT, 'data/openapi.json'), 'utf8'));
	assert.deepEqual(doc, file);
});

test('every (method, path) of routes.c is documented, and nothing else', () => {
	const routes = routeTable().filter((r) => !isOpen311(r.pattern));
	const inCode = new Set(routes.map((r) => `${r.method} ${r.pattern}`));
	const inDoc = new Set(operations(doc).map((o) => `${o.method} ${o.path}`));
	const missing = [...inCode].filter((k) => !inDoc.has(k)).sort();
	const extra = [...inDoc].filter((k) => !inCode.has(k)).sort();
	// missing: in src/api/routes.c, not in data/openapi.json; extra: the other way round.
	assert.deepEqual({ missing, extra }, { missing: [], extra: [] },
		'data/openapi.json and src/api/routes.c list different routes');
	for (const p of Object.keys(doc.paths))
		assert.ok(!isOpen311(p), `${p}: Open311 follows its own standard, not this document`);
});

test('route names, public or signed-in, CSRF and roles match the route table', () => {
	const byKey = new Map(operations(doc).map((o) => [`${o.method} ${o.path}`, o.op]));
	const schemes = doc.components.securitySchemes;
	assert.deepEqual(schemes.session, { ...schemes.session, type: 'apiKey', in: 'cookie',
		name: 'sanfu_session' });
	assert.deepEqual(schemes.csrf, { ...schemes.csrf, type: 'apiKey', in: 'header',
		name: 'X-CSRF-Token' });
	assert.deepEqual(schemes.bearer, { ...schemes.bearer, type: 'http', scheme: 'bearer' });
	for (const r of routeTable().filter((x) => !isOpen311(x.pattern))) {
		const key = `${r.method} ${r.pattern}`;
		const op = byKey.get(key);
		assert.ok(op, `${key} is not documented`);
		assert.equal(op['x-sanfu-route'], r.name, `${key}: route name`);
		const auth = r.flags.includes('SF_R_AUTH');
		const sec = op.security;
		assert.ok(Array.isArray(sec), `${key}: security must be explicit`);
		if (!auth) {
			assert.deepEqual(sec, [], `${key} is public: security []`);
			assert.deepEqual(op['x-sanfu-roles'], ['public'], key);
			continue;
		}
		assert.ok(sec.some((s) => Object.hasOwn(s, 'bearer')), `${key}: Bearer token`);
		const cookie = sec.find((s) => Object.hasOwn(s, 'session'));
		assert.ok(cookie, `${key}: session cookie`);
		const csrf = r.method !== 'GET' && r.method !== 'HEAD' && !r.flags.includes('SF_R_NOCSRF');
		assert.equal(Object.hasOwn(cookie, 'csrf'), csrf, `${key}: CSRF with the cookie`);
		assert.ok(op.responses['401'], `${key}: documents 401`);
		if (r.roles || csrf) assert.ok(op.responses['403'], `${key}: documents 403`);
		assert.deepEqual([...op['x-sanfu-roles']].sort(), r.roles || [...ROLES].sort(),
			`${key}: x-sanfu-roles`);
	}
});

test('the document is well formed: references, path parameters, operations', () => {
	const seenIds = new Set();
	const usedTags = new Set();
	// Every $ref anywhere resolves.
	(function walk(x) {
		if (Array.isArray(x)) return x.forEach(walk);
		if (x && typeof x === 'object') {
			if (typeof x.$ref === 'string') resolve(doc, x.$ref);
			Object.values(x).forEach(walk);
		}
	})(doc);
	const declared = new Set((doc.tags || []).map((t) => t.name));
	for (const { method, path: p, op, item } of operations(doc)) {
		const key = `${method} ${p}`;
		assert.ok(op.operationId && !seenIds.has(op.operationId), `${key}: unique operationId`);
		seenIds.add(op.operationId);
		assert.ok(op.summary && op.description, `${key}: summary and description`);
		assert.ok(op.tags && op.tags.length, `${key}: tags`);
		op.tags.forEach((t) => usedTags.add(t));
		const codes = Object.keys(op.responses || {});
		assert.ok(codes.some((c) => /^2\d\d$/.test(c)), `${key}: a 2xx response`);
		for (const c of codes) {
			assert.match(c, /^([1-5]\d\d|default)$/, `${key}: response code ${c}`);
			const r = deref(doc, op.responses[c]);
			assert.equal(typeof r.description, 'string', `${key} ${c}: description`);
			if (/^4/.test(c) && r.content && r.content['application/json']) {
				const s = deref(doc, r.content['application/json'].schema);
				assert.ok(s.properties && s.properties.error, `${key} ${c}: the error shape`);
			}
		}
		const params = [...(item.parameters || []), ...(op.parameters || [])]
			.map((x) => deref(doc, x));
		for (const prm of params) {
			assert.ok(['path', 'query', 'header', 'cookie'].includes(prm.in), `${key}: in`);
			assert.ok(prm.schema, `${key}: parameter ${prm.name} has a schema`);
		}
		const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
		const declaredPath = params.filter((x) => x.in === 'path');
		assert.deepEqual(declaredPath.map((x) => x.name).sort(), inPath, `${key}: path params`);
		declaredPath.forEach((x) => assert.equal(x.required, true, `${key}: ${x.name} required`));
		if (op.requestBody) {
			const rb = deref(doc, op.requestBody);
			assert.ok(rb.content && Object.keys(rb.content).length, `${key}: body content`);
		}
		for (const s of op.security || [])
			for (const name of Object.keys(s))
				assert.ok(doc.components.securitySchemes[name], `${key}: scheme ${name}`);
	}
	for (const t of usedTags) assert.ok(declared.has(t), `tag ${t} is declared`);
	const err = doc.components.schemas.Error;
	assert.deepEqual(Object.keys(err.properties), ['error']);
	assert.deepEqual(Object.keys(err.properties.error.properties).sort(),
		['code', 'field', 'message']);
});

// ---- what the document says of request bodies is what the server does ----

function jsonBodyOf(method, p) {
	const op = doc.paths[p][method.toLowerCase()];
	const rb = deref(doc, op.requestBody);
	const media = rb && rb.content['application/json'];
	return media ? { schema: deref(doc, media.schema), example: media.example, op } : null;
}

test('the required fields of orders and login are required by the server', async () => {
	const order = jsonBodyOf('POST', '/api/v1/orders');
	assert.ok(order.schema.required.includes('title'), 'the document requires title');
	const login = jsonBodyOf('POST', '/api/v1/auth/login');
	assert.ok(login.schema.required.includes('password'), 'the document requires password');

	const d = client(srv.url);
	assert.equal((await d.login('dispatcher', 'Sanfu2026')).status, 200);
	const noTitle = { description: '路灯三晚不亮', category: 'street_light' };
	expectError(assert, await d.post('/api/v1/orders', noTitle), 400, 'missing_field', 'title');
	const r = await client(srv.url).post('/api/v1/auth/login', { login: 'dispatcher' });
	expectError(assert, r, 400, 'missing_field', 'password');
});

// For each JSON body with an example: the example is accepted (or refused
// only for a conflict with the demo data), each required member left out
// is 400 naming it, each string one character past maxLength is 400 naming
// it, and an unknown member is refused when the schema is closed.
const EXAMPLES = [
	['POST', '/api/v1/auth/login', null],
	['POST', '/api/v1/orders', 'dispatcher'],
	['POST', '/api/v1/categories', 'admin'],
	['POST', '/api/v1/units', 'admin'],
	['POST', '/api/v1/users', 'admin'],
	['POST', '/api/v1/public/orders', null],
	['POST', '/api/v1/households', 'admin'],
	['POST', '/api/v1/places', 'admin'],
	['POST', '/api/v1/village-groups', 'admin'],
	['POST', '/api/v1/visits', 'admin'],
];

test('documented required members, caps and closed bodies hold on the server', async () => {
	const clients = {};
	for (const [method, p, who] of EXAMPLES) {
		const spec = jsonBodyOf(method, p);
		assert.ok(spec && spec.example, `${method} ${p}: a JSON example`);
		let c = clients[who];
		if (!c) {
			c = client(srv.url);
			if (who) assert.equal((await c.login(who, 'Sanfu2026')).status, 200);
			clients[who] = c;
		}
		const key = `${method} ${p}`;
		const props = spec.schema.properties;
		const full = await c.request(method, p, spec.example);
		assert.ok(full.status < 300 || full.status === 409, `${key} example: ${full.text}`);
		for (const f of spec.schema.required || []) {
			assert.ok(Object.hasOwn(spec.example, f), `${key}: the example has ${f}`);
			const body = { ...spec.example };
			delete body[f];
			expectError(assert, await c.request(method, p, body), 400, 'missing_field', f);
		}
		for (const [f, s] of Object.entries(props)) {
			if (s.type !== 'string' || !s.maxLength || !Object.hasOwn(spec.example, f)) continue;
			const body = { ...spec.example, [f]: '路'.repeat(s.maxLength + 1) };
			expectError(assert, await c.request(method, p, body), 400, 'too_long', f);
		}
		if (spec.schema.additionalProperties === false) {
			const body = { ...spec.example, not_a_member: 1 };
			expectError(assert, await c.request(method, p, body), 400, 'unknown_field',
				'not_a_member');
		}
	}
});

// ---- answers match the documented schemas ----

// A small validator for the subset of schema keywords the document uses.
function check(d, schema, value, where, errors) {
	const s = deref(d, schema);
	if (value === null) {
		if (!s.nullable && !(s.allOf && s.nullable)) errors.push(`${where}: null`);
		return;
	}
	if (s.allOf) s.allOf.forEach((x) => check(d, x, value, where, errors));
	if (s.oneOf) {
		const ok = s.oneOf.filter((x) => {
			const e = [];
			check(d, x, value, where, e);
			return e.length === 0;
		});
		if (ok.length !== 1) errors.push(`${where}: matches ${ok.length} of oneOf`);
	}
	if (s.enum && !s.enum.includes(value)) errors.push(`${where}: ${value} not in enum`);
	const t = s.type;
	if (!t) return;
	const kind = Array.isArray(value) ? 'array' : typeof value;
	if (t === 'integer' ? !Number.isInteger(value) : t === 'number' ? kind !== 'number'
		: kind !== t) {
		errors.push(`${where}: ${JSON.stringify(value).slice(0, 60)} is not ${t}`);
		return;
	}
	if ((t === 'integer' || t === 'number') && s.minimum !== undefined && value < s.minimum)
		errors.push(`${where}: below ${s.minimum}`);
	if ((t === 'integer' || t === 'number') && s.maximum !== undefined && value > s.maximum)
		errors.push(`${where}: above ${s.maximum}`);
	if (t === 'array') value.forEach((v, i) => check(d, s.items, v, `${where}[${i}]`, errors));
	if (t === 'object') {
		for (const r of s.required || [])
			if (!Object.hasOwn(value, r)) errors.push(`${where}: no ${r}`);
		for (const [k, v] of Object.entries(value)) {
			if (s.properties && s.properties[k]) check(d, s.properties[k], v, `${where}.${k}`, errors);
			else if (s.additionalProperties === false) errors.push(`${where}: undocumented ${k}`);
		}
	}
}

function expectSchema(method, p, r) {
	const op = doc.paths[p][method.toLowerCase()];
	const resp = deref(doc, op.responses[String(r.status)]);
	assert.ok(resp, `${method} ${p}: status ${r.status} is not documented (${r.text.slice(0, 200)})`);
	const schema = resp.content['application/json'].schema;
	const errors = [];
	check(doc, schema, r.json, `${method} ${p} ${r.status}`, errors);
	assert.deepEqual(errors.slice(0, 10), [], 'the answer does not match the document');
}

test('answers of the main resources match their documented schemas', async () => {
	const d = client(srv.url);
	const login = await d.login('dispatcher', 'Sanfu2026');
	expectSchema('POST', '/api/v1/auth/login', login);
	const a = client(srv.url);
	assert.equal((await a.login('admin', 'Sanfu2026')).status, 200);
	expectSchema('GET', '/api/v1/me', await d.get('/api/v1/me'));

	const list = await d.get('/api/v1/orders?limit=200');
	expectSchema('GET', '/api/v1/orders', list);
	assert.ok(list.json.items.length > 50, 'the demo orders');
	for (const it of list.json.items)
		expectSchema('GET', '/api/v1/orders/{id}', await d.get(`/api/v1/orders/${it.id}`));
	const page = await d.get('/api/v1/orders?limit=5');
	const next = await d.get(`/api/v1/orders?limit=5&cursor=${page.json.next_cursor}`);
	expectSchema('GET', '/api/v1/orders', next);
	expectSchema('GET', '/api/v1/orders/{id}/events',
		await d.get(`/api/v1/orders/${list.json.items[0].id}/events`));

	expectSchema('GET', '/api/v1/categories', await a.get('/api/v1/categories?all=1'));
	expectSchema('GET', '/api/v1/categories/{id}', await a.get('/api/v1/categories/1'));
	expectSchema('GET', '/api/v1/units', await a.get('/api/v1/units'));
	expectSchema('GET', '/api/v1/users', await a.get('/api/v1/users?limit=200'));
	expectSchema('GET', '/api/v1/stats/overview', await d.get('/api/v1/stats/overview'));
	const dept = client(srv.url);
	assert.equal((await dept.login('chengjian', 'Sanfu2026')).status, 200);
	expectSchema('GET', '/api/v1/stats/overview', await dept.get('/api/v1/stats/overview'));
	expectSchema('GET', '/api/v1/orders', await dept.get('/api/v1/orders'));
	expectSchema('GET', '/api/v1/calendar', await d.get('/api/v1/calendar'));
	expectSchema('GET', '/api/v1/calendar/deadline', await d.get('/api/v1/calendar/deadline?days=5'));
	expectSchema('GET', '/api/v1/notifications', await dept.get('/api/v1/notifications'));
	const pub = client(srv.url);
	expectSchema('GET', '/api/v1/public/categories', await pub.get('/api/v1/public/categories'));
	expectSchema('GET', '/api/v1/public/stats', await pub.get('/api/v1/public/stats'));
	expectSchema('GET', '/healthz', await pub.get('/healthz'));
	const groups = await a.get('/api/v1/village-groups?limit=5');
	expectSchema('GET', '/api/v1/village-groups', groups);
	expectSchema('GET', '/api/v1/village-groups/{id}',
		await a.get(`/api/v1/village-groups/${groups.json.items[0].id}`));
	const hazards = await a.get('/api/v1/hazards?limit=50');
	expectSchema('GET', '/api/v1/hazards', hazards);
	expectSchema('GET', '/api/v1/hazards/{id}', await a.get(`/api/v1/hazards/${hazards.json.items[0].id}`));
	expectSchema('GET', '/api/v1/campaigns/{id}/coverage', await a.get('/api/v1/campaigns/1/coverage'));
	expectSchema('GET', '/api/v1/users', await d.get('/api/v1/users?limit=5'));

	// Errors have the documented shape and statuses.
	expectSchema('GET', '/api/v1/orders/{id}', await d.get('/api/v1/orders/999999'));
	expectSchema('GET', '/api/v1/me', await pub.get('/api/v1/me'));
	expectSchema('GET', '/api/v1/users', await dept.get('/api/v1/users'));
	expectSchema('GET', '/api/v1/orders', await d.get('/api/v1/orders?sort=sideways'));
});
