// Finds the i18n keys the pages use: literal t('a.b') calls, data-i18n and
// data-i18n-attr attributes, and prefixes of keys built from an
// enumeration (t('state.' + s)), which enums.js lists in I18N_ENUMS.
// Used by i18n.test.mjs; `node tests/e2e/i18n-keys.mjs` prints the keys.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB = path.join(ROOT, 'web');

// Keys built with a template literal may only use these prefixes, and only
// behind has(): the server's error codes and field names, which are
// translated when known and shown as the server wrote them otherwise.
export const OPTIONAL_PREFIXES = ['err.', 'field.'];

function walk(dir, out = []) {
	for (const name of readdirSync(dir)) {
		const p = path.join(dir, name);
		if (statSync(p).isDirectory()) walk(p, out);
		else if (/\.(js|mjs|html)$/.test(name)) out.push(p);
	}
	return out;
}

export function scan() {
	const literal = new Map(); // key -> first file
	const prefixes = new Map();
	const templates = new Map();
	const guarded = new Set(); // prefixes looked up with has() first
	for (const file of walk(WEB)) {
		const src = readFileSync(file, 'utf8');
		const rel = path.relative(ROOT, file);
		const add = (m, k) => {
			if (!m.has(k)) m.set(k, rel);
		};
		for (const m of src.matchAll(/\bt\(\s*(['"])([^'"\n]+)\1\s*([,)+])/g)) {
			if (m[3] === '+') add(prefixes, m[2]);
			else add(literal, m[2]);
		}
		for (const m of src.matchAll(/\bhas\(\s*(['"])([^'"\n]+)\1\s*\+/g)) guarded.add(m[2]);
		for (const m of src.matchAll(/\b(?:t|has)\(\s*`([^`$]*)\$\{/g)) add(templates, m[1]);
		for (const m of src.matchAll(/\bt\(\s*`([^`$]+)`\s*[,)]/g)) add(literal, m[1]);
		for (const m of src.matchAll(/data-i18n="([^"]+)"/g)) add(literal, m[1]);
		for (const m of src.matchAll(/data-i18n-attr="([^"]+)"/g))
			for (const pair of m[1].split(',')) add(literal, pair.split(':')[1].trim());
	}
	return { literal, prefixes, templates, guarded };
}

export async function enums() {
	const mod = await import(pathToFileURL(path.join(WEB, 'js/enums.js')).href);
	return mod.I18N_ENUMS;
}

// Every key the pages can ask for (literal ones and enumeration ones).
export async function requiredKeys() {
	const { literal, prefixes } = scan();
	const e = await enums();
	const keys = new Map(literal);
	for (const [p, file] of prefixes)
		for (const v of e[p] || []) if (!keys.has(p + v)) keys.set(p + v, file);
	return keys;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const keys = await requiredKeys();
	const { prefixes, templates } = scan();
	const e = await enums();
	const { guarded } = scan();
	for (const p of prefixes.keys()) if (!e[p] && !guarded.has(p)) console.error(`prefix without enumeration: ${p}`);
	for (const p of templates.keys()) if (!OPTIONAL_PREFIXES.includes(p)) console.error(`template key: ${p}`);
	console.log([...keys.keys()].sort().join('\n'));
}
