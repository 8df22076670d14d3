// Check, before timing, that each search term finds what it should:
//   node bench/lib/verify-search.mjs BASE_URL COOKIE EXPECT.json
// EXPECT.json is [{term, hits, first: [ids of the newest 20]}] as a LIKE over
// the searched fields (title, description, address, code, requester's
// organisation) finds them (bench/run.sh asks sqlite3). Pages through
// GET /api/v1/orders?q=TERM 200 at a time and compares the count and the
// first page. Prints [{term, chars, hits}] on success; exits 1 naming the
// first term that differs.
import { readFileSync } from 'node:fs';

const [base, cookie, expectFile] = process.argv.slice(2);
const expect = JSON.parse(readFileSync(expectFile, 'utf8'));
async function check(e) {
	let cursor = null;
	let hits = 0;
	let first = null;
	for (;;) {
		const url = new URL('/api/v1/orders', base);
		url.searchParams.set('limit', '200');
		url.searchParams.set('q', e.term);
		if (cursor) url.searchParams.set('cursor', cursor);
		const r = await fetch(url, { headers: { cookie } });
		if (!r.ok) throw new Error(`search for ${e.term}: status ${r.status}: ${await r.text()}`);
		const page = await r.json();
		if (!first) first = page.items.slice(0, 20).map((o) => o.id);
		hits += page.items.length;
		cursor = page.next_cursor;
		if (!cursor) break;
	}
	if (hits !== e.hits || first.join(' ') !== e.first.join(' '))
		throw new Error(`search for ${e.term} found ${hits} orders (first page ${first.join(' ')}); ` +
			`LIKE finds ${e.hits} (${e.first.join(' ')})`);
	return { term: e.term, chars: [...e.term].length, hits };
}

// The terms side by side: the server has a thread per core.
try {
	console.log(JSON.stringify(await Promise.all(expect.map(check))));
} catch (err) {
	console.error(err.message);
	process.exit(1);
}
