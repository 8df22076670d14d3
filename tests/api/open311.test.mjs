// Open311 GeoReport v2 conformance, through HTTP on the real binary: every
// method in JSON and XML, every filter, limit and error of the spec, the
// realtime and batch flows, attribute validation, API keys and their rate
// limit, jurisdiction_id, and the catalogue import (CLI and admin API), on
// the demo catalogue and on imported ones. XML is parsed by a small strict
// checker below (node has no XML parser), so a document that is not
// well-formed fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, DB_KIND, startServer, client, addUser } from './lib.mjs';

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'text/xml; charset=utf-8';
const DECL = '<?xml version="1.0" encoding="utf-8"?>';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };
const DEMO = JSON.parse(readFileSync(path.join(ROOT, 'data/demo/cangqian.json'), 'utf8'));
const EXAMPLE = path.join(ROOT, 'data/open311/example-catalogue.json');

// ---- a strict XML well-formedness checker --------------------------------

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function decodeText(s) {
	if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s))
		throw new Error(`a character XML cannot carry: ${JSON.stringify(s)}`);
	if (s.includes('>') && s.includes(']]>')) throw new Error(']]> in text');
	return s.replace(/&([^;&<]*);|&/g, (m, e) => {
		if (e === undefined) throw new Error(`a bare & in ${JSON.stringify(s)}`);
		const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
		if (e in named) return named[e];
		let cp;
		if (/^#[0-9]+$/.test(e)) cp = Number(e.slice(1));
		else if (/^#x[0-9a-fA-F]+$/.test(e)) cp = parseInt(e.slice(2), 16);
		else throw new Error(`unknown entity &${e};`);
		if (cp === 0 || (cp < 0x20 && ![9, 10, 13].includes(cp)) || cp > 0x10ffff)
			throw new Error(`a character reference XML forbids: &${e};`);
		return String.fromCodePoint(cp);
	});
}

// Parse the whole document: the UTF-8 declaration first, then exactly one
// root element; elements have no attributes; every tag is closed in order.
// Returns the root as {name, text, children}.
export function parseXml(doc) {
	if (!doc.startsWith(DECL)) throw new Error(`no UTF-8 declaration: ${doc.slice(0, 60)}`);
	const stack = [];
	let root = null;
	let i = DECL.length;
	// Line ends are normalised by XML parsers; a raw \r never reaches the data.
	doc = doc.replace(/\r\n?/g, '\n');
	while (i < doc.length) {
		const lt = doc.indexOf('<', i);
		const chunk = lt < 0 ? doc.slice(i) : doc.slice(i, lt);
		if (chunk.length) {
			if (!stack.length) {
				if (chunk.trim())
					throw new Error(`text outside the root: ${chunk}`);
			} else {
				stack[stack.length - 1].text += decodeText(chunk);
			}
		}
		if (lt < 0) break;
		const gt = doc.indexOf('>', lt);
		if (gt < 0) throw new Error('an unclosed tag');
		const tag = doc.slice(lt + 1, gt);
		if (tag.startsWith('/')) {
			const top = stack.pop();
			if (!top || top.name !== tag.slice(1))
				throw new Error(`</${tag.slice(1)}> closes <${top && top.name}>`);
		} else {
			const empty = tag.endsWith('/');
			const name = empty ? tag.slice(0, -1) : tag;
			if (!NAME.test(name)) throw new Error(`a bad tag <${tag}>`);
			const node = { name, text: '', children: [] };
			if (stack.length) stack[stack.length - 1].children.push(node);
			else if (root) throw new Error('a second root element');
			else root = node;
			if (!empty) stack.push(node);
		}
		i = gt + 1;
	}
	if (stack.length) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
	if (!root) throw new Error('no root element');
	return root;
}

// Spark convention, for comparing with the JSON: an element with children
// is an object of them (a repeated name, or a known list, is an array);
// a leaf is its text.
const LISTS = new Set(['services', 'service_requests', 'errors', 'attributes', 'values', 'notes',
	'endpoints', 'formats']);
function spark(node) {
	if (LISTS.has(node.name)) return node.children.map(spark);
	if (!node.children.length) return node.text;
	const o = {};
	for (const c of node.children) o[c.name] = spark(c);
	return o;
}

// A JSON value as its XML text: null is empty, booleans and numbers as written.
function asText(v) {
	return v === null || v === undefined ? '' : String(v);
}

// ---- HTTP helpers ---------------------------------------------------------

function form(pairs) {
	return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

async function call(srv, method, p, body, headers = {}) {
	const res = await fetch(srv.url + p, { method, body, headers });
	const text = await res.text();
	const type = res.headers.get('content-type');
	let json = null;
	let xml = null;
	if (type === JSON_TYPE) json = JSON.parse(text);
	if (type === XML_TYPE) xml = parseXml(text);
	return { status: res.status, type, text, json, xml };
}

const get = (srv, p) => call(srv, 'GET', `/open311/v2/${p}`);
const post = (srv, fmt, pairs, headers = FORM) =>
	call(srv, 'POST', `/open311/v2/requests.${fmt}`,
	     typeof pairs === 'string' ? pairs : form(pairs), headers);

// The spec's error list, in both formats.
function expectO311Error(r, status, fmt, match) {
	const where = `${r.status} ${r.text}`;
	assert.equal(r.status, status, where);
	if (fmt === 'json') {
		assert.equal(r.type, JSON_TYPE, where);
		assert.ok(Array.isArray(r.json) && r.json.length === 1, where);
		assert.equal(r.json[0].code, status, where);
		assert.equal(typeof r.json[0].description, 'string', where);
		if (match) assert.match(r.json[0].description, match, where);
	} else {
		assert.equal(r.type, XML_TYPE, where);
		assert.equal(r.xml.name, 'errors', where);
		assert.equal(r.xml.children.length, 1, where);
		const e = spark(r.xml)[0];
		assert.equal(e.code, String(status), where);
		if (match) assert.match(e.description, match, where);
	}
}

// Every order in the database, from the /metrics gauges.
async function orderCount(srv) {
	const res = await fetch(`${srv.url}/metrics`);
	const text = await res.text();
	let n = 0;
	for (const m of text.matchAll(/^sanfu_orders\{state="[a-z_]+"\} (\d+)$/gm))
		n += Number(m[1]);
	return n;
}

async function metric(srv, name, key) {
	const text = await (await fetch(`${srv.url}/metrics`)).text();
	const m = new RegExp(`^${name}\\{key="${key}"\\} (\\d+)$`, 'm').exec(text);
	return m ? Number(m[1]) : null;
}

async function newKey(srv, name) {
	const r = await srv.sanfu('apikey', 'add', name);
	assert.equal(r.code, 0, r.stderr);
	const key = r.stdout.trim();
	assert.match(key, /^[A-Za-z0-9_-]{43}$/);
	return key;
}

// A dispatcher of the demo's command room (指挥室), signed in.
async function dispatcher(srv, login) {
	const pw = `Passw0rd-${login}`;
	const r = await addUser(srv, login, pw, 'dispatcher', ['--unit', 'CQ-ZHS']);
	assert.equal(r.code, 0, r.stderr);
	const c = client(srv.url);
	assert.equal((await c.login(login, pw)).status, 200);
	return c;
}

const ISO8 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/;
const REQUEST_FIELDS = ['service_request_id', 'status', 'status_notes', 'service_name',
	'service_code', 'description', 'agency_responsible', 'service_notice', 'requested_datetime',
	'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long',
	'media_url'];

function checkRequestShape(r) {
	for (const f of REQUEST_FIELDS) assert.ok(f in r, `${f} missing in ${JSON.stringify(r)}`);
	assert.equal(typeof r.service_request_id, 'string');
	assert.equal(typeof r.service_code, 'string');
	assert.ok(r.status === 'open' || r.status === 'closed', r.status);
	assert.match(r.requested_datetime, ISO8);
	assert.match(r.updated_datetime, ISO8);
	if (r.expected_datetime !== null) assert.match(r.expected_datetime, ISO8);
	assert.ok(r.lat === null || typeof r.lat === 'number');
	assert.ok(r.long === null || typeof r.long === 'number');
}

// ---- the servers ----------------------------------------------------------

let demo;      // the demo data, its catalogue as shipped
let key;       // an API key on demo
const TEST_CATALOGUE = [
	{
		service_code: 'pothole', service_name: '道路坑洼', service_name_en: 'Pothole',
		description: '坑洼 & 塌陷 <路面>', type: 'realtime', keywords: '坑,洼', group: '市政',
		attributes: [
			{ code: 'SIZE', datatype: 'singlevaluelist', required: true, order: 1,
			  description: '大小',
			  values: [{ key: 'S', name: '小' }, { key: 'L', name: '大' }] },
			{ code: 'DEPTH', datatype: 'number', order: 2, description: '深度 cm' },
			{ code: 'SEEN', datatype: 'datetime', order: 3 },
			{ code: 'KINDS', datatype: 'multivaluelist', order: 4,
			  values: [{ key: 'a', name: 'A' }, { key: 'b', name: 'B' }] },
			{ code: 'NOTE', datatype: 'string', order: 5 },
			{ code: 'INFO', datatype: 'text', variable: false, order: 6,
			  description: '提示' },
		],
	},
	{ service_code: 'dogs', service_name: '流浪狗', type: 'batch', group: '城管' },
	{ service_code: 'flyer', service_name: '小广告', type: 'blackbox' },
];

before(async () => {
	demo = await startServer({ seed: true });
	key = await newKey(demo, 'fms');
});
after(async () => {
	if (demo) await demo.stop();
});

// ---- the checker itself --------------------------------------------------

test('the XML checker rejects what is not well-formed', () => {
	const ok = `${DECL}\n<a><b>x &amp; &lt;y&gt; &#13;</b><c/></a>`;
	assert.equal(parseXml(ok).children[0].text, 'x & <y> \r');
	for (const bad of [
		'<a></a>',                              // no declaration
		`${DECL}<a><b></a></b>`,                // crossed
		`${DECL}<a></a><b></b>`,                // two roots
		`${DECL}<a>x & y</a>`,                  // bare &
		`${DECL}<a>&nbsp;</a>`,                 // unknown entity
		`${DECL}<a>\u0001</a>`,                 // control character
		`${DECL}<a>&#0;</a>`,                   // forbidden reference
		`${DECL}<a x="1"></a>`,                 // attributes: none in Open311
		`${DECL}<a>`,                           // unclosed
		`${DECL}text<a></a>`,                   // text outside the root
	])
		assert.throws(() => parseXml(bad), undefined, bad);
});

// ---- GET services ---------------------------------------------------------

test('GET services: the published catalogue in its own order, JSON and XML alike', async () => {
	const j = await get(demo, 'services.json');
	assert.equal(j.status, 200);
	assert.equal(j.type, JSON_TYPE);
	assert.ok(Array.isArray(j.json));
	const published = DEMO.categories.filter((c) => c.open311 && c.public !== false);
	assert.deepEqual(j.json.map((s) => s.service_code).sort(),
			 published.map((c) => c.code).sort());
	for (const s of j.json) {
		assert.deepEqual(Object.keys(s).sort(), ['description', 'group', 'keywords',
			'metadata', 'service_code', 'service_name', 'type']);
		assert.equal(typeof s.service_code, 'string');
		assert.equal(typeof s.metadata, 'boolean');
		assert.ok(['realtime', 'batch', 'blackbox'].includes(s.type));
		const c = DEMO.categories.find((x) => x.code === s.service_code);
		assert.equal(s.service_name, c.name_zh);
		assert.equal(s.group, c.group);
		assert.equal(s.keywords, c.keywords);
		assert.equal(s.metadata, Array.isArray(c.attributes) && c.attributes.length > 0);
	}
	assert.ok(!j.json.some((s) => s.service_code === 'schooling'), 'not published on Open311');
	const x = await get(demo, 'services.xml');
	assert.equal(x.status, 200);
	assert.equal(x.type, XML_TYPE);
	assert.equal(x.xml.name, 'services');
	assert.ok(x.xml.children.every((c) => c.name === 'service'));
	const xs = spark(x.xml);
	assert.equal(xs.length, j.json.length);
	xs.forEach((s, i) => {
		for (const [k, v] of Object.entries(j.json[i])) assert.equal(s[k], asText(v), k);
	});
	const en = await get(demo, 'services.json?lang=en');
	const noise = en.json.find((s) => s.service_code === 'noise');
	assert.equal(noise.service_name, 'Noise nuisance');
});

test('GET services/{code}: the definition, its attributes and values', async () => {
	const j = await get(demo, 'services/noise.json');
	assert.equal(j.status, 200);
	assert.equal(j.type, JSON_TYPE);
	assert.ok(!Array.isArray(j.json) && j.json.service_code === 'noise');
	assert.ok(Array.isArray(j.json.attributes));
	const tod = j.json.attributes.find((a) => a.code === 'TIME_OF_DAY');
	assert.equal(tod.variable, true);
	assert.equal(tod.required, true);
	assert.equal(tod.datatype, 'singlevaluelist');
	assert.equal(tod.order, 1);
	assert.deepEqual(tod.values.map((v) => v.key), ['day', 'night']);
	for (const a of j.json.attributes)
		for (const k of ['variable', 'code', 'datatype', 'required', 'datatype_description',
			'order', 'description', 'values'])
			assert.ok(k in a, `${k} in ${a.code}`);
	const x = await get(demo, 'services/noise.xml');
	assert.equal(x.type, XML_TYPE);
	assert.equal(x.xml.name, 'service_definition');
	const xd = spark(x.xml);
	assert.equal(xd.service_code, 'noise');
	assert.equal(xd.attributes.length, j.json.attributes.length);
	assert.equal(xd.attributes[0].required, 'true');
	assert.deepEqual(xd.attributes[0].values.map((v) => v.key), ['day', 'night']);
	// A service without attributes has an empty list, still a list.
	const plain = await get(demo, 'services/road_damage.json');
	assert.deepEqual(plain.json.attributes, []);
	expectO311Error(await get(demo, 'services/nope.json'), 404, 'json', /nope/);
	expectO311Error(await get(demo, 'services/nope.xml'), 404, 'xml', /nope/);
	expectO311Error(await get(demo, 'services/schooling.json'), 404, 'json');
});

// ---- discovery and unknown paths -------------------------------------------

test('GET discovery in both formats: changeset, contact, key_service, endpoints', async () => {
	const j = await get(demo, 'discovery.json');
	assert.equal(j.status, 200);
	assert.equal(j.type, JSON_TYPE);
	for (const k of ['changeset', 'contact', 'key_service', 'endpoints'])
		assert.ok(typeof j.json[k] === 'string' ? j.json[k].length : j.json[k].length, k);
	assert.deepEqual(j.json.endpoints.map((e) => e.type).sort(), ['production', 'test']);
	for (const e of j.json.endpoints) {
		assert.equal(e.specification, 'http://wiki.open311.org/GeoReport_v2');
		assert.match(e.url, /^https?:\/\/.+\/open311\/v2$/);
		assert.equal(e.changeset, j.json.changeset);
		assert.deepEqual(e.formats, ['text/xml', 'application/json']);
	}
	const x = await get(demo, 'discovery.xml');
	assert.equal(x.type, XML_TYPE);
	assert.equal(x.xml.name, 'discovery');
	const xd = spark(x.xml);
	assert.equal(xd.changeset, j.json.changeset);
	assert.equal(xd.endpoints.length, 2);
	assert.deepEqual(xd.endpoints[0].formats, ['text/xml', 'application/json']);
});

test('unknown resources are 404 in the format asked; a path without a format is 400', async () => {
	expectO311Error(await get(demo, 'nothing.json'), 404, 'json');
	expectO311Error(await get(demo, 'nothing.xml'), 404, 'xml');
	expectO311Error(await get(demo, 'widgets/1.json'), 404, 'json');
	expectO311Error(await get(demo, 'services'), 400, 'xml', /\.xml or \.json/);
	expectO311Error(await get(demo, 'services.html'), 400, 'xml');
	expectO311Error(await call(demo, 'POST', '/open311/v2/services.json', 'a=1', FORM), 400,
			'json', /read-only/);
	expectO311Error(await call(demo, 'POST', '/open311/v2/nothing.xml', 'a=1', FORM), 404,
			'xml');
});

// ---- POST requests: keys, errors, nothing stored ----------------------------

test('POST without a key, with a wrong or revoked key is 403, in both formats', async () => {
	const before = await orderCount(demo);
	const body = [['service_code', 'road_damage'], ['address_string', '仓前街道']];
	expectO311Error(await post(demo, 'json', body), 403, 'json', /api_key/);
	expectO311Error(await post(demo, 'xml', body), 403, 'xml', /api_key/);
	expectO311Error(await post(demo, 'json', [['api_key', ''], ...body]), 403, 'json');
	expectO311Error(await post(demo, 'json', [['api_key', 'x'.repeat(43)], ...body]), 403,
			'json');
	expectO311Error(await post(demo, 'json', [['api_key', key + 'x'], ...body]), 403, 'json');
	const gone = await newKey(demo, 'revoked-client');
	const r = await demo.sanfu('apikey', 'revoke', 'revoked-client');
	assert.equal(r.code, 0, r.stderr);
	expectO311Error(await post(demo, 'xml', [['api_key', gone], ...body]), 403, 'xml');
	assert.equal((await demo.sanfu('apikey', 'revoke', 'revoked-client')).code, 1);
	assert.equal((await demo.sanfu('apikey', 'add', 'fms')).code, 1, 'names are unique');
	assert.equal(await orderCount(demo), before);
});

test('bad parameters are 400 (404 for an unknown service) and store nothing', async () => {
	const before = await orderCount(demo);
	// A key of its own: these 42 requests count against its rate limit.
	const k = ['api_key', await newKey(demo, 'validator')];
	const loc = ['address_string', '仓前街道'];
	const rd = ['service_code', 'road_damage'];
	const cases = [
		[[k, loc], 400, /service_code required/],
		[[k, ['service_code', 'zzz'], loc], 404, /zzz/],
		[[k, ['service_code', 'schooling'], loc], 404, /schooling/],
		[[k, ['service_code', 'road_damage']], 400, /location/],
		[[k, rd, ['lat', '30.29']], 400, /lat and long/],
		[[k, rd, ['lat', '91'], ['long', '120']], 400, /lat/],
		[[k, rd, ['lat', '30'], ['long', 'east']], 400, /long/],
		[[k, rd, ['lat', '0x1e'], ['long', '120']], 400, /lat/],
		[[k, rd, loc, ['description', '长'.repeat(4001)]], 400,
		 /description.*4000/],
		[[k, rd, loc, ['media_url', 'javascript:alert(1)']], 400,
		 /media_url/],
		[[k, rd, loc, ['phone', 'call me']], 400, /phone/],
		[[k, rd, loc, ['email', 'nobody']], 400, /email/],
		[[k, rd, ['address_string', 'a\u0001b']], 400, /control/],
		[[k, ['service_code', 'noise'], loc], 400, /^TIME_OF_DAY required$/],
		[[k, ['service_code', 'noise'], loc, ['attribute[TIME_OF_DAY]', '']], 400,
		 /^TIME_OF_DAY required$/],
		[[k, ['service_code', 'noise'], loc, ['attribute[TIME_OF_DAY]', 'noon']], 400,
		 /TIME_OF_DAY/],
		[[k, ['service_code', 'noise'], loc, ['attribute[TIME_OF_DAY][]', 'day'],
		  ['attribute[TIME_OF_DAY][]', 'night']], 400, /TIME_OF_DAY/],
		[[k, ['service_code', 'street_light'], loc], 400, /^POLE_ID required$/],
		[[k, ['service_code', 'street_light'], loc,
		   ['attribute[POLE_ID]', 'x'.repeat(201)]],
		 400, /POLE_ID/],
	];
	for (const [pairs, status, match] of cases) {
		for (const fmt of ['json', 'xml'])
			expectO311Error(await post(demo, fmt, pairs), status, fmt, match);
	}
	// Bodies that are not a well-formed form.
	const good = form([k, ['service_code', 'road_damage'], loc]);
	expectO311Error(await post(demo, 'json', good + '&description=%E4%B8'), 400, 'json',
			/UTF-8/);
	expectO311Error(await post(demo, 'json', good + '&description=%ZZ'), 400, 'json', /%/);
	expectO311Error(await post(demo, 'json', good + '&description=a%00b'), 400, 'json');
	expectO311Error(await post(demo, 'json', good, { 'Content-Type': 'application/json' }), 400,
			'json', /x-www-form-urlencoded/);
	assert.equal(await orderCount(demo), before);
});

// ---- the realtime flow ------------------------------------------------------

test('realtime: POST answers [{service_request_id}], GET shows it intact in JSON and XML',
     async () => {
	const before = await orderCount(demo);
	const desc = '路灯旁有坑 <b>深约10cm</b> & "危险"\n请尽快处理 \'谢谢\'';
	const r = await post(demo, 'json', [
		['api_key', key], ['service_code', 'noise'],
		['lat', '30.2915'], ['long', '119.9876'],
		['address_string', '仓前街道 文一西路 & 良睦路口'], ['description', desc],
		['attribute[TIME_OF_DAY]', 'night'],
		['attribute[NOISE_SOURCE]', '工地 <夜间施工>'],
		['first_name', '小明'], ['last_name', '王'], ['phone', '13800138000'],
		['email', 'wang@example.com'], ['device_id', 'dev-123'], ['account_id', 'acct-9'],
		['media_url', 'https://img.example.com/a.jpg?x=1&y=2'],
	]);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.type, JSON_TYPE);
	assert.ok(Array.isArray(r.json) && r.json.length === 1);
	const id = r.json[0].service_request_id;
	assert.equal(typeof id, 'string');
	assert.ok(!('token' in r.json[0]));
	assert.ok('service_notice' in r.json[0] && 'account_id' in r.json[0]);
	assert.equal(await orderCount(demo), before + 1);

	const one = await get(demo, `requests/${encodeURIComponent(id)}.json`);
	assert.equal(one.status, 200);
	assert.ok(Array.isArray(one.json) && one.json.length === 1);
	const o = one.json[0];
	checkRequestShape(o);
	assert.equal(o.service_request_id, id);
	assert.equal(o.description, desc);
	assert.equal(o.status, 'open');
	assert.equal(o.service_code, 'noise');
	assert.equal(o.service_name, '噪音扰民');
	assert.equal(o.address, '仓前街道 文一西路 & 良睦路口');
	assert.equal(o.lat, 30.2915);
	assert.equal(o.long, 119.9876);
	assert.equal(o.media_url, 'https://img.example.com/a.jpg?x=1&y=2');
	assert.ok(!('notes' in o), 'notes only with extensions=true');
	if (DB_KIND === 'sqlite') {
		// Contact details are kept sealed, never in clear, anywhere in the database.
		const dump = spawnSync('sqlite3', [demo.db, '.dump'], { encoding: 'utf8', maxBuffer: 1 << 30 });
		assert.equal(dump.status, 0, dump.stderr);
		for (const s of ['13800138000', 'wang@example.com', 'dev-123', 'acct-9'])
			assert.ok(!dump.stdout.includes(s), `${s} stored in clear`);
		const sql = 'SELECT count(*) FROM o311_submissions s JOIN orders o ' +
			`ON o.id = s.order_id WHERE o.code = '${id}' ` +
			'AND s.email_sealed IS NOT NULL AND s.device_id_sealed IS NOT NULL ' +
			'AND s.account_id_sealed IS NOT NULL';
		const row = spawnSync('sqlite3', [demo.db, sql], { encoding: 'utf8' });
		assert.equal(row.stdout.trim(), '1', row.stderr);
	}
	// No personal data, in any form.
	for (const s of ['小明', '王小明', '13800138000', '138****8000', 'wang@example.com',
		'dev-123', 'acct-9'])
		assert.ok(!one.text.includes(s), `${s} leaked: ${one.text}`);

	const x = await get(demo, `requests/${encodeURIComponent(id)}.xml`);
	assert.equal(x.type, XML_TYPE);
	assert.equal(x.xml.name, 'service_requests');
	assert.equal(x.xml.children.length, 1);
	assert.equal(x.xml.children[0].name, 'request');
	const xo = spark(x.xml)[0];
	for (const f of REQUEST_FIELDS) assert.equal(xo[f], asText(o[f]), f);
	assert.equal(xo.description, desc);
	assert.ok(x.text.includes('&lt;b&gt;') && x.text.includes('&amp;'));

	// The same through the list, and with the notes extension.
	const list = await get(demo, `requests.json?service_request_id=${id}&extensions=true`);
	assert.equal(list.json.length, 1);
	assert.ok(Array.isArray(list.json[0].notes) && list.json[0].notes.length >= 1);
	for (const n of list.json[0].notes) {
		assert.match(n.datetime, ISO8);
		assert.equal(typeof n.description, 'string');
		assert.equal(typeof n.type, 'string');
	}
	const xl = await get(demo, `requests.xml?service_request_id=${id}&extensions=true`);
	assert.equal(spark(xl.xml)[0].notes.length, list.json[0].notes.length);

	// The POST answer in XML has the same shape.
	const rx = await post(demo, 'xml', [['api_key', key], ['service_code', 'road_damage'],
		['address_string', '仓前 <XML> & 测试']]);
	assert.equal(rx.status, 200, rx.text);
	assert.equal(rx.xml.name, 'service_requests');
	const rxo = spark(rx.xml)[0];
	assert.ok(rxo.service_request_id.length > 0);
	assert.ok(!('token' in rxo));
	expectO311Error(await get(demo, 'requests/SF19990101-9999.json'), 404, 'json');
	expectO311Error(await get(demo, 'requests/SF19990101-9999.xml'), 404, 'xml');
});

test('GET requests never shows requesters: names and phones of the demo stay out', async () => {
	const j = await get(demo, 'requests.json?extensions=true');
	assert.equal(j.status, 200);
	assert.ok(j.json.length > 0);
	const x = await get(demo, 'requests.xml?extensions=true');
	const texts = DEMO.orders.map((o) => JSON.stringify([o.title, o.description, o.address,
		(o.steps || []).map((st) => [st.text, st.reason])]));
	for (const o of DEMO.orders) {
		const rq = o.requester || {};
		for (const s of [rq.name, rq.phone]) {
			if (!s || texts.some((t) => t.includes(s))) continue; // typed into the text
			assert.ok(!j.text.includes(s), `${s} leaked into JSON`);
			assert.ok(!x.text.includes(s), `${s} leaked into XML`);
		}
	}
	for (const r of j.json) checkRequestShape(r);
	// A merged order says which order it duplicates; it is closed.
	const merged = j.json.find((r) => (r.notes || []).some((n) => n.type === 'merge'));
	assert.ok(merged, 'the demo has a merged order');
	assert.equal(merged.status, 'closed');
	const note = merged.notes.find((n) => n.type === 'merge');
	assert.match(note.description, /^已合并至 SF\d{8}-\d{4}$/);
});

// ---- filters and limits -----------------------------------------------------

test('GET requests filters: status, service_code, dates, ids, paging', async () => {
	const all = (await get(demo, 'requests.json')).json;
	assert.ok(all.length > 2);
	const open311 = new Set(DEMO.categories.filter((c) => c.open311).map((c) => c.code));
	for (const r of all) assert.ok(open311.has(r.service_code), r.service_code);
	// Newest first.
	for (let i = 1; i < all.length; i++)
		assert.ok(all[i - 1].requested_datetime >= all[i].requested_datetime);

	const open = (await get(demo, 'requests.json?status=open')).json;
	const closed = (await get(demo, 'requests.json?status=closed')).json;
	assert.ok(open.every((r) => r.status === 'open'));
	assert.ok(closed.every((r) => r.status === 'closed'));
	assert.ok(closed.length > 0, 'the demo has finished orders');
	assert.equal(open.length + closed.length, all.length);
	assert.equal((await get(demo, 'requests.json?status=open,closed')).json.length, all.length);
	// An empty parameter is the same as an absent one.
	const empty = await get(demo, 'requests.json?status=&service_code=');
	assert.equal(empty.json.length, all.length);

	const noise = (await get(demo, 'requests.json?service_code=noise')).json;
	assert.ok(noise.length > 0 && noise.every((r) => r.service_code === 'noise'));
	const two = (await get(demo, 'requests.json?service_code=noise,%20transport')).json;
	assert.equal(two.length, all.filter((r) => ['noise', 'transport'].includes(r.service_code))
		.length);
	assert.deepEqual((await get(demo, 'requests.json?service_code=nope')).json, []);

	// service_request_id overrides everything else, keeps its order, skips unknown ids.
	const ids = [all[2].service_request_id, 'nope', all[0].service_request_id];
	const byId = (await get(demo, `requests.json?service_request_id=${ids.join(',')}` +
		'&status=closed&service_code=x')).json;
	assert.deepEqual(byId.map((r) => r.service_request_id),
			 [all[2].service_request_id, all[0].service_request_id]);

	// Dates: a range, at most 90 days, by requested_datetime.
	const newest = new Date(all[0].requested_datetime);
	const oldest = new Date(all[all.length - 1].requested_datetime);
	const iso = (d) => d.toISOString().replace(/\.\d+Z$/, 'Z');
	const mid = new Date(Math.floor((newest.getTime() + oldest.getTime()) / 2000) * 1000);
	const recent = (await get(demo, `requests.json?start_date=${iso(mid)}`)).json;
	assert.ok(recent.every((r) => new Date(r.requested_datetime) >= mid));
	assert.equal(recent.length,
		     all.filter((r) => new Date(r.requested_datetime) >= mid).length);
	const early = (await get(demo,
		`requests.json?start_date=${iso(oldest)}&end_date=${iso(mid)}`)).json;
	assert.ok(early.every((r) => new Date(r.requested_datetime) <= mid));
	const enc = encodeURIComponent('2026-01-01T00:00:00+08:00');
	assert.equal((await get(demo, `requests.json?start_date=${enc}`)).status, 200);
	const day = 86400e3;
	const from = new Date(Date.now() - 200 * day);
	const to = new Date(from.getTime() + 91 * day);
	const span = `start_date=${iso(from)}&end_date=${iso(to)}`;
	expectO311Error(await get(demo, `requests.json?${span}`), 400, 'json', /90 days/);
	expectO311Error(await get(demo,
		`requests.xml?start_date=${iso(newest)}&end_date=${iso(oldest)}`), 400, 'xml');
	expectO311Error(await get(demo, 'requests.json?start_date=yesterday'), 400, 'json',
			/start_date/);
	expectO311Error(await get(demo, 'requests.json?end_date=2026-13-01T00:00:00Z'), 400,
			'json');
	expectO311Error(await get(demo, 'requests.json?status=pending'), 400, 'json', /status/);
	expectO311Error(await get(demo, 'requests.xml?status=open,done'), 400, 'xml');
	// The default window is the last 90 days: nothing older is listed.
	const limit = Date.now() - 90 * day - 60e3;
	assert.ok(all.every((r) => new Date(r.requested_datetime).getTime() >= limit));

	// page / page_size.
	const p1 = (await get(demo, 'requests.json?page_size=2')).json;
	const p2 = (await get(demo, 'requests.json?page_size=2&page=2')).json;
	const ids_of = (list) => list.map((r) => r.service_request_id);
	assert.deepEqual(ids_of(p1), ids_of(all.slice(0, 2)));
	assert.deepEqual(ids_of(p2), ids_of(all.slice(2, 4)));
	assert.deepEqual((await get(demo, 'requests.json?page=10000')).json, []);
	expectO311Error(await get(demo, 'requests.json?page_size=1001'), 400, 'json', /page_size/);
	expectO311Error(await get(demo, 'requests.json?page_size=0'), 400, 'json');
	expectO311Error(await get(demo, 'requests.json?page=-1'), 400, 'json', /page/);
	expectO311Error(await get(demo, 'requests.json?extensions=maybe'), 400, 'json');

	// XML lists the same requests.
	const xall = spark((await get(demo, 'requests.xml')).xml);
	assert.deepEqual(ids_of(xall), ids_of(all));
});

// ---- rate limit and metrics --------------------------------------------------

test('each key is limited to 60 POSTs a minute (429) and counted in /metrics', async () => {
	const k = await newKey(demo, 'busy-client');
	assert.equal(await metric(demo, 'sanfu_open311_requests_total', 'busy-client'), 0);
	const before = await orderCount(demo);
	// 121 requests span at most two one-minute windows, so one window gets 61.
	const statuses = [];
	for (let i = 0; i < 121; i++) {
		const r = await post(demo, 'json', [['api_key', k]]); // 400: no service_code
		statuses.push(r.status);
		if (r.status === 429) expectO311Error(r, 429, 'json', /60/);
	}
	assert.ok(statuses.includes(429), 'the limit was never hit');
	assert.ok(statuses.every((s) => s === 400 || s === 429));
	assert.equal(await metric(demo, 'sanfu_open311_requests_total', 'busy-client'), 121);
	assert.equal(await metric(demo, 'sanfu_open311_created_total', 'busy-client'), 0);
	// Another key is not affected.
	const ok = await post(demo, 'json', [['api_key', key], ['service_code', 'road_damage'],
		['address_string', '仓前街道']]);
	assert.equal(ok.status, 200, ok.text);
	assert.equal(await orderCount(demo), before + 1);
	assert.ok(await metric(demo, 'sanfu_open311_created_total', 'fms') >= 1);
	const list = await demo.sanfu('apikey', 'list');
	assert.match(list.stdout, /busy-client\s+live\s+requests 121/);
});

// ---- imported catalogues: batch and blackbox, attribute types ---------------

test('an imported catalogue: definitions as given, batch tokens, blackbox, attribute types',
     async () => {
	const srv = await startServer();
	try {
		const file = path.join(srv.dir, 'catalogue.json');
		writeFileSync(file, JSON.stringify(TEST_CATALOGUE));
		let r = await srv.sanfu('services', 'import', file);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /^added +pothole/m);
		assert.match(r.stdout, /3 added, 0 updated/);
		const k = await newKey(srv, 'client');

		const services = (await get(srv, 'services.json')).json;
		assert.deepEqual(services.map((s) => s.service_code), ['pothole', 'dogs', 'flyer']);
		assert.deepEqual(services.map((s) => s.type), ['realtime', 'batch', 'blackbox']);
		assert.deepEqual(services.map((s) => s.metadata), [true, false, false]);
		assert.equal(services[0].description, '坑洼 & 塌陷 <路面>');
		const xs = (await get(srv, 'services.xml'));
		assert.equal(spark(xs.xml)[0].description, '坑洼 & 塌陷 <路面>');
		const def = (await get(srv, 'services/pothole.json')).json;
		const shape = def.attributes.map((a) => [a.code, a.datatype, a.required, a.order]);
		assert.deepEqual(shape, [
			['SIZE', 'singlevaluelist', true, 1], ['DEPTH', 'number', false, 2],
			['SEEN', 'datetime', false, 3], ['KINDS', 'multivaluelist', false, 4],
			['NOTE', 'string', false, 5], ['INFO', 'text', false, 6]]);
		assert.equal(def.attributes[5].variable, false);

		const loc = ['lat', '30.1'];
		const base = [['api_key', k], ['service_code', 'pothole'], loc, ['long', '120.1']];
		const before = await orderCount(srv);
		const sz = ['attribute[SIZE]', 'S'];
		const bad = [
			[[...base], /^SIZE required$/],
			[[...base, ['attribute[SIZE]', 'M']], /SIZE/],
			[[...base, sz, ['attribute[DEPTH]', 'deep']], /DEPTH/],
			[[...base, sz, ['attribute[DEPTH]', 'Infinity']], /DEPTH/],
			[[...base, sz, ['attribute[SEEN]', '2026-02-30T10:00:00Z']],
			 /SEEN/],
			[[...base, sz, ['attribute[SEEN]', '2026-01-01T10:00:00']],
			 /SEEN/],
			[[...base, sz, ['attribute[KINDS][]', 'a'],
			  ['attribute[KINDS][]', 'z']], /KINDS/],
			[[...base, sz, ['attribute[NOTE]', 'line\nbreak']], /NOTE/],
		];
		for (const [pairs, match] of bad)
			for (const fmt of ['json', 'xml'])
				expectO311Error(await post(srv, fmt, pairs), 400, fmt, match);
		assert.equal(await orderCount(srv), before);

		// Every type accepted; the raw brackets and '+' spaces of real clients too.
		const body = `${form(base)}&attribute[SIZE]=L&attribute[DEPTH]=12.5` +
			'&attribute[SEEN]=2026-01-02T03:04:05Z' +
			'&attribute[KINDS][]=a&attribute[KINDS][]=b' +
			'&attribute[NOTE]=near+the+bus+stop' +
			'&attribute[INFO]=ignored&attribute[EXTRA]=x';
		r = await post(srv, 'json', body);
		assert.equal(r.status, 200, r.text);
		assert.equal(typeof r.json[0].service_request_id, 'string');

		// batch: a token, never an id; the token resolves to the id.
		const b = await post(srv, 'json', [['api_key', k], ['service_code', 'dogs'],
			['address_id', 'CQ-0001']]);
		assert.equal(b.status, 200, b.text);
		assert.equal(b.json.length, 1);
		const token = b.json[0].token;
		assert.equal(typeof token, 'string');
		assert.ok(!('service_request_id' in b.json[0]));
		const t = await get(srv, `tokens/${token}.json`);
		assert.equal(t.status, 200);
		assert.equal(t.json.length, 1);
		assert.equal(t.json[0].token, token);
		const sid = t.json[0].service_request_id;
		assert.equal(typeof sid, 'string');
		const tx = await get(srv, `tokens/${token}.xml`);
		assert.equal(tx.xml.name, 'service_requests');
		assert.deepEqual(spark(tx.xml), [{ service_request_id: sid, token }]);
		assert.equal((await get(srv, `requests/${sid}.json`)).json[0].service_code, 'dogs');
		expectO311Error(await get(srv, 'tokens/NOSUCHTOKEN.json'), 404, 'json');
		expectO311Error(await get(srv, 'tokens/NOSUCHTOKEN.xml'), 404, 'xml');
		const bx = await post(srv, 'xml', [['api_key', k], ['service_code', 'dogs'],
			['address_string', '仓前']]);
		assert.ok(spark(bx.xml)[0].token.length > 0);

		// blackbox: neither id nor token.
		const bb = await post(srv, 'json', [['api_key', k], ['service_code', 'flyer'],
			['address_string', '仓前']]);
		assert.equal(bb.status, 200, bb.text);
		assert.ok(!('token' in bb.json[0]) && !('service_request_id' in bb.json[0]));
		assert.equal(await orderCount(srv), before + 4);

		// Re-import updates in place, keeping what the file leaves out.
		const again = TEST_CATALOGUE.map((s) => ({ ...s }));
		again.reverse();
		again[0] = { ...again[0], service_name: '小广告张贴' };
		delete again[2].attributes; // pothole keeps its attributes
		writeFileSync(file, JSON.stringify(again));
		r = await srv.sanfu('services', 'import', file);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /0 added, 3 updated/);
		const s2 = (await get(srv, 'services.json')).json;
		assert.deepEqual(s2.map((s) => s.service_code), ['flyer', 'dogs', 'pothole']);
		assert.equal(s2[0].service_name, '小广告张贴');
		assert.equal((await get(srv, 'services/pothole.json')).json.attributes.length, 6);
	} finally {
		await srv.stop();
	}
});

test('a list of over 1000 requests is cut at 1000; page 2 has the rest', async () => {
	const file = path.join(demo.dir, 'bulk.json');
	writeFileSync(file, JSON.stringify([{ service_code: 'bulk', service_name: '批量测试' }]));
	assert.equal((await demo.sanfu('services', 'import', file)).code, 0);
	const staff = await dispatcher(demo, 'disp1000');
	const total = 1005;
	let next = 0;
	const worker = async () => {
		while (next < total) {
			const i = next++;
			const r = await staff.post('/api/v1/orders', { title: `第${i}号`,
				description: '测试', category: 'bulk', channel: 'phone' });
			assert.equal(r.status, 201, r.text);
		}
	};
	await Promise.all(Array.from({ length: 8 }, worker));
	assert.equal((await get(demo, 'requests.json')).json.length, 1000);
	assert.equal((await get(demo, 'requests.json?service_code=bulk')).json.length, 1000);
	assert.equal((await get(demo, 'requests.json?service_code=bulk&page=2')).json.length, 5);
	const small = await get(demo, 'requests.xml?service_code=bulk&page_size=10&page=101');
	assert.equal(spark(small.xml).length, 5);
	const x = await get(demo, 'requests.xml?service_code=bulk');
	assert.equal(x.xml.children.length, 1000);
});

test('the example catalogue imports onto the demo, by CLI and by the admin API', async () => {
	let r = await demo.sanfu('services', 'import', EXAMPLE);
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, /^updated +street_light/m);
	assert.match(r.stdout, /^added +pothole/m);
	const example = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
	const services = (await get(demo, 'services.json')).json;
	const codes = services.map((s) => s.service_code);
	const at = example.map((s) => codes.indexOf(s.service_code));
	assert.ok(at.every((i) => i >= 0), codes.join());
	assert.deepEqual([...at].sort((a, b) => a - b), at, 'the file order is kept');
	const sl = (await get(demo, 'services/street_light.json')).json;
	assert.deepEqual(sl.attributes.map((a) => a.code), ['POLE_ID', 'LIGHT_STATE']);

	const admin = client(demo.url);
	assert.equal((await admin.login('admin', DEMO.password)).status, 200);
	const edited = example.map((s) => ({ ...s }));
	edited[1] = { ...edited[1], keywords: '坑洼,塌陷,pothole,updated' };
	r = await admin.post('/api/v1/open311/services/import', edited);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.added, 0);
	assert.equal(r.json.updated, example.length);
	assert.deepEqual(r.json.services.map((s) => s.result), example.map(() => 'updated'));
	const byCode = async (code) =>
		(await get(demo, 'services.json')).json.find((s) => s.service_code === code);
	const pothole = await byCode('pothole');
	assert.equal(pothole.keywords, '坑洼,塌陷,pothole,updated');

	// Errors name the service and the field, and change nothing.
	const bad = [{ ...example[0], service_name: 'changed' }, { service_code: 'x1' }];
	r = await admin.post('/api/v1/open311/services/import', { services: bad });
	assert.equal(r.status, 400, r.text);
	assert.equal(r.json.error.field, 'services[1].service_name');
	const badAttr = [{ ...example[1],
		attributes: [{ code: 'A', datatype: 'singlevaluelist' }] }];
	r = await admin.post('/api/v1/open311/services/import', badAttr);
	assert.equal(r.status, 400, r.text);
	assert.equal(r.json.error.field, 'services[0].attributes[0].values');
	r = await admin.post('/api/v1/open311/services/import',
			     [{ ...example[1], dept: 'NO-SUCH-UNIT' }]);
	assert.equal(r.status, 400, r.text);
	assert.equal(r.json.error.field, 'services[0].dept');
	const sl2 = await byCode('street_light');
	assert.notEqual(sl2.service_name, 'changed');
	const disp = await dispatcher(demo, 'disp311');
	r = await disp.post('/api/v1/open311/services/import', example);
	assert.equal(r.status, 403);
});

// ---- jurisdiction_id ------------------------------------------------------------

test('jurisdiction_id: ignored when not configured; required and checked when it is',
     async () => {
	assert.equal((await get(demo, 'services.json?jurisdiction_id=anything')).status, 200);
	const srv = await startServer({ args: ['--jurisdiction', 'cangqian.gov.cn'] });
	try {
		const file = path.join(srv.dir, 'catalogue.json');
		writeFileSync(file, JSON.stringify([TEST_CATALOGUE[1]]));
		assert.equal((await srv.sanfu('services', 'import', file)).code, 0);
		const k = await newKey(srv, 'client');
		const J = 'jurisdiction_id=cangqian.gov.cn';
		const paths = ['services', 'services/dogs', 'requests', 'discovery', 'tokens/X'];
		for (const p of paths) {
			const none = await get(srv, `${p}.json`);
			expectO311Error(none, 400, 'json', /jurisdiction_id/);
			const other = await get(srv, `${p}.xml?jurisdiction_id=other.gov.cn`);
			expectO311Error(other, 404, 'xml', /jurisdiction_id/);
		}
		assert.equal((await get(srv, `services.json?${J}`)).status, 200);
		assert.equal((await get(srv, `discovery.xml?${J}`)).status, 200);
		const body = [['api_key', k], ['service_code', 'dogs'], ['address_string', '仓前']];
		expectO311Error(await post(srv, 'json', body), 400, 'json', /jurisdiction_id/);
		expectO311Error(await post(srv, 'json', [...body, ['jurisdiction_id', 'x']]), 404,
				'json');
		const ok = await post(srv, 'json',
				      [...body, ['jurisdiction_id', 'cangqian.gov.cn']]);
		assert.equal(ok.status, 200, ok.text);
		const tok = ok.json[0].token;
		assert.equal((await get(srv, `tokens/${tok}.json?${J}`)).status, 200);
	} finally {
		await srv.stop();
	}
});

test('paths and methods the router does not know still answer in the Open311 error shape', async () => {
	expectO311Error(await get(demo, 'services/noise/extra.xml'), 404, 'xml', /no such resource/);
	expectO311Error(await get(demo, 'a/b/c.json'), 404, 'json', /no such resource/);
	expectO311Error(await call(demo, 'DELETE', '/open311/v2/services.json'), 405, 'json',
		/DELETE/);
	expectO311Error(await call(demo, 'PUT', '/open311/v2/requests.xml', 'x=1', FORM), 405, 'xml',
		/PUT/);
});
