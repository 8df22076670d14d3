// Every string key the console and the portal use exists in both language
// files, the two files hold the same keys, and no value is left empty or
// still carries the other language's placeholders wrongly. No browser
// needed: the pages' sources are scanned (see i18n-keys.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OPTIONAL_PREFIXES, WEB, enums, requiredKeys, scan } from './i18n-keys.mjs';

const load = (l) => JSON.parse(readFileSync(path.join(WEB, 'i18n', `${l}.json`), 'utf8'));
const zh = load('zh-CN');
const en = load('en');

test('every key used in the pages exists in zh-CN.json and en.json', async () => {
	const keys = await requiredKeys();
	assert.ok(keys.size > 100, `only ${keys.size} keys found: the scanner is broken`);
	const missing = [];
	for (const [k, file] of keys) {
		if (!(k in zh)) missing.push(`zh-CN.json lacks "${k}" (used in ${file})`);
		if (!(k in en)) missing.push(`en.json lacks "${k}" (used in ${file})`);
	}
	assert.deepEqual(missing, []);
});

test('keys built from a value use a known enumeration or are looked up with has() first', async () => {
	const { prefixes, templates, guarded } = scan();
	const e = await enums();
	const bad = [];
	for (const [p, file] of prefixes) if (!e[p] && !guarded.has(p)) bad.push(`${file}: t('${p}' + …) without an I18N_ENUMS entry`);
	for (const [p, file] of templates) if (!OPTIONAL_PREFIXES.includes(p)) bad.push(`${file}: template key \`${p}\${…}\``);
	assert.deepEqual(bad, []);
});

test('both files hold the same keys with non-empty values and the same placeholders', () => {
	const onlyZh = Object.keys(zh).filter((k) => !(k in en));
	const onlyEn = Object.keys(en).filter((k) => !(k in zh));
	assert.deepEqual(onlyZh, [], 'keys only in zh-CN.json');
	assert.deepEqual(onlyEn, [], 'keys only in en.json');
	const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
	for (const k of Object.keys(zh)) {
		assert.equal(typeof zh[k], 'string', k);
		assert.ok(zh[k].trim() && en[k].trim(), `empty value for ${k}`);
		assert.equal(ph(zh[k]), ph(en[k]), `placeholders differ for ${k}`);
	}
});

test('the Chinese file is Chinese and the English file is not', () => {
	const cjk = /[\u4e00-\u9fff]/;
	// A few values are the same in both (Open311, the language switch).
	const zhCount = Object.values(zh).filter((v) => cjk.test(v)).length;
	assert.ok(zhCount / Object.keys(zh).length > 0.95, 'zh-CN.json should be Chinese');
	const enCjk = Object.entries(en).filter(([k, v]) => cjk.test(v) && !['lang.switch', 'portal.rate_limited'].includes(k));
	assert.deepEqual(enCjk.map(([k]) => k), [], 'en.json values with Chinese text');
});
