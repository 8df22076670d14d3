// Turn one bench run (bench/run.sh's scratch directory) into the results:
//   node bench/lib/report.mjs RUN_DIR RESULTS_DIR
// Reads the wrk outputs (SIZE-SCENARIO.txt), the per-size facts
// (SIZE-size.json), the machine and settings, the search checks and the web
// measurements, checks the targets of issue 7, and writes
// RESULTS_DIR/latest.json and RESULTS_DIR/latest.md.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [runDir, outDir] = process.argv.slice(2);
if (!runDir || !outDir) {
	console.error('usage: report.mjs RUN_DIR RESULTS_DIR');
	process.exit(2);
}

const SCENARIOS = [
	['nginx', 'nginx: static file of the same size (the ceiling)'],
	['mhd', 'libmicrohttpd alone: the same bytes, no Sanfu (the HTTP library\'s ceiling)'],
	['get', 'get one order (signed in, scope checked)'],
	['inbox', 'inbox page with filters'],
	['search2', 'search, two-character terms'],
	['search3', 'search, three-character terms'],
	['search_deadline', 'search, two- and three-character terms, sorted by deadline'],
	['dashboard', 'dashboard counts'],
	['open311', 'Open311 GET requests (50 a page)'],
	['create', 'create an order (durable)'],
	['transition', 'state transition (durable)'],
];

const json = (f) => JSON.parse(readFileSync(path.join(runDir, f), 'utf8'));
const maybe = (f) => (existsSync(path.join(runDir, f)) ? json(f) : null);

function ms(text) {
	const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
	if (!m) return null;
	const v = Number(m[1]);
	return { us: v / 1000, ms: v, s: v * 1000, m: v * 60000 }[m[2]];
}

function parseWrk(text) {
	const r = {};
	const rps = /Requests\/sec:\s*([\d.]+)/.exec(text);
	r.rps = rps ? Math.round(Number(rps[1])) : null;
	for (const [pct, key] of [['50', 'p50_ms'], ['75', 'p75_ms'], ['90', 'p90_ms'], ['99', 'p99_ms']]) {
		const m = new RegExp(`^\\s+${pct}%\\s+(\\S+)`, 'm').exec(text);
		r[key] = m ? ms(m[1]) : null;
	}
	const total = /(\d+) requests in ([\d.]+\w+)/.exec(text);
	r.requests = total ? Number(total[1]) : null;
	const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
	const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
	const bad = /BENCH_BAD (\d+)/.exec(text);
	r.errors = (non2xx ? Number(non2xx[1]) : 0) + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
	r.unexpected_status = bad ? Number(bad[1]) : 0;
	return r;
}

const sizes = readdirSync(runDir)
	.map((f) => /^(\d+)-size\.json$/.exec(f))
	.filter(Boolean)
	.map((m) => Number(m[1]))
	.sort((a, b) => a - b);

const results = {
	generated_at: new Date().toISOString(),
	machine: maybe('machine.json'),
	settings: maybe('settings.json'),
	sizes: [],
};

for (const n of sizes) {
	const s = { ...json(`${n}-size.json`), scenarios: {} };
	for (const [name] of SCENARIOS) {
		const f = path.join(runDir, `${n}-${name}.txt`);
		if (!existsSync(f)) continue;
		s.scenarios[name] = parseWrk(readFileSync(f, 'utf8'));
		const other = path.join(runDir, `${n}-${name}.other`);
		if (existsSync(other)) s.scenarios[name].other_cpu_pct = Number(readFileSync(other, 'utf8').trim());
	}
	const ceiling = s.scenarios.nginx?.rps;
	const library = s.scenarios.mhd?.rps;
	for (const [name, r] of Object.entries(s.scenarios)) {
		if (ceiling && r.rps != null) r.ratio_to_nginx = Math.round((r.rps / ceiling) * 1000) / 1000;
		if (library && r.rps != null && name !== 'nginx')
			r.ratio_to_mhd = Math.round((r.rps / library) * 1000) / 1000;
	}
	s.search_check = maybe(`${n}-search-check.json`);
	results.sizes.push(s);
}
results.web = maybe('web.json');

// ---- the targets of issue 7 ----

const at = (n) => results.sizes.find((s) => s.orders === n);
const small = at(10000);
const big = at(1000000);
const targets = [];
function target(what, want, got, met, note) {
	targets.push({ target: what, want, got, met, note: note || '' });
}
const fmt = (v, d = 1) => (v == null ? '—' : Number(v).toFixed(d));

if (big) {
	const g = big.scenarios.get;
	const lib = big.scenarios.mhd;
	target('get one order at 1M: ≥ 0.75 × nginx', '≥ 0.75', g ? `${fmt(g.ratio_to_nginx, 2)} (${g.rps}/s vs ${big.scenarios.nginx?.rps}/s)` : '—',
		g ? g.ratio_to_nginx >= 0.75 : false,
		lib ? `libmicrohttpd alone, answering the same bytes: ${fmt(lib.ratio_to_nginx, 2)} × nginx (${lib.rps}/s); get is ${fmt(g?.ratio_to_mhd, 2)} × that` : '');
	const c = big.scenarios.create;
	target('create an order (durable) at 1M', '≥ 10000/s', c ? `${c.rps}/s` : '—', c ? c.rps >= 10000 : false);
	for (const name of ['inbox', 'search2', 'search3', 'dashboard']) {
		const r = big.scenarios[name];
		const base = small?.scenarios[name];
		target(`${name} at 1M: p99 < 20 ms`, '< 20 ms', r ? `${fmt(r.p99_ms, 2)} ms` : '—', r ? r.p99_ms < 20 : false);
		if (base)
			target(`${name}: p99 at 1M ≤ 2 × p99 at 10k`, `≤ ${fmt(2 * base.p99_ms, 2)} ms`,
				r ? `${fmt(r.p99_ms, 2)} ms` : '—', r ? r.p99_ms <= 2 * base.p99_ms : false);
	}
	target('peak RSS serving 1M orders', '< 100 MB', `${fmt(big.peak_rss_mb)} MB`, big.peak_rss_mb < 100);
	target('sanfu serve ready on 1M orders', '< 100 ms', `${fmt(big.start_ms)} ms`, big.start_ms < 100);
	target('sanfu gen: 1M orders', '< 60 s', `${fmt(big.gen_seconds)} s`, big.gen_seconds < 60);
}
results.targets = targets;

// ---- Markdown ----

const m = results.machine || {};
const v = m.versions || {};
const lines = [];
lines.push('# Sanfu benchmark results', '');
lines.push(`Run at ${results.generated_at} by \`make bench\` (bench/run.sh); see bench/README.md and docs/performance.md.`, '');
lines.push(`Machine: ${m.cpu || '?'}, ${m.cores || '?'} cores, ${m.memory || '?'} memory, ${m.kernel || '?'} (${m.os || '?'}).`);
lines.push(`Versions: ${v.sanfu || '?'}; SQLite ${v.sqlite || '?'}; libmicrohttpd ${v.libmicrohttpd || '?'}; nginx ${v.nginx || '?'}; wrk ${v.wrk || '?'}; ${v.compiler || '?'}.`);
const st = results.settings || {};
lines.push('"other CPU" is the share of the cores that processes other than the server (nginx) and wrk used during the run: other work on the machine; a run with much of it has low figures.', '');
lines.push(`Load: wrk with ${st.wrk_threads} threads and ${st.connections} connections for ${st.duration_s} s per scenario (after ${st.warmup_s} s of warm-up), over loopback, on the same ${m.cores || '?'} cores as the server (one server thread per core; nginx with as many workers).`, '');

lines.push('## Scenarios', '');
lines.push('| orders | scenario | req/s | p50 ms | p99 ms | × nginx | × libmicrohttpd alone | errors | other CPU |');
lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|');
for (const s of results.sizes) {
	for (const [name, label] of SCENARIOS) {
		const r = s.scenarios[name];
		if (!r) continue;
		const err = r.errors + r.unexpected_status;
		lines.push(`| ${s.orders.toLocaleString('en-US')} | ${label} | ${r.rps ?? '—'} | ${fmt(r.p50_ms, 2)} | ${fmt(r.p99_ms, 2)} | ${name === 'nginx' ? '1' : fmt(r.ratio_to_nginx, 3)} | ${name === 'nginx' ? '—' : fmt(r.ratio_to_mhd, 3)} | ${err} | ${r.other_cpu_pct == null ? '—' : r.other_cpu_pct + '%'} |`);
	}
}
lines.push('');
// How each scenario's cost grows with the data: p99 (and req/s) per size,
// with the ratio of p99 to the smallest size's.
if (results.sizes.length > 1) {
	lines.push('## How cost grows', '');
	lines.push(`p99 in ms (req/s) at each size; the last column is p99 at the largest size over p99 at the smallest.`, '');
	lines.push(`| scenario | ${results.sizes.map((s) => s.orders.toLocaleString('en-US')).join(' | ')} | growth |`);
	lines.push(`|---|${results.sizes.map(() => '---:').join('|')}|---:|`);
	for (const [name, label] of SCENARIOS) {
		if (name === 'nginx' || name === 'mhd') continue;
		const have = results.sizes.filter((s) => s.scenarios[name]);
		if (!have.length) continue;
		const cells = results.sizes.map((s) => {
			const r = s.scenarios[name];
			return r ? `${fmt(r.p99_ms, 2)} (${r.rps})` : '—';
		});
		const first = have[0].scenarios[name], last = have[have.length - 1].scenarios[name];
		const growth = have.length > 1 && first.p99_ms ? `${fmt(last.p99_ms / first.p99_ms, 2)}×` : '—';
		lines.push(`| ${label} | ${cells.join(' | ')} | ${growth} |`);
	}
	lines.push('');
}
lines.push('## Each size', '');
lines.push('| orders | database | generated in | serve ready in | peak RSS | order response |');
lines.push('|---:|---:|---:|---:|---:|---:|');
for (const s of results.sizes)
	lines.push(`| ${s.orders.toLocaleString('en-US')} | ${fmt(s.db_bytes / 1048576, 0)} MB | ${fmt(s.gen_seconds)} s | ${fmt(s.start_ms)} ms | ${fmt(s.peak_rss_mb)} MB | ${s.response_bytes} bytes |`);
lines.push('');
const checks = results.sizes.filter((s) => s.search_check);
if (checks.length) {
	lines.push('Search terms, checked before timing (every hit LIKE finds, paged through the API, same first page):', '');
	for (const s of checks)
		lines.push(`- ${s.orders.toLocaleString('en-US')} orders: ${s.search_check.map((c) => `${c.term} ${c.hits}`).join(', ')}`);
	lines.push('');
}
if (targets.length) {
	lines.push('## Targets (issue 7)', '');
	lines.push('| target | wanted | measured | met | note |');
	lines.push('|---|---|---|---|---|');
	for (const t of targets) lines.push(`| ${t.target} | ${t.want} | ${t.got} | ${t.met ? 'yes' : '**no**'} | ${t.note} |`);
	lines.push('');
}
if (results.web) {
	lines.push('## Web console (bench/web/measure.mjs)', '');
	for (const [k, val] of Object.entries(results.web)) lines.push(`- ${k}: ${typeof val === 'object' ? JSON.stringify(val) : val}`);
	lines.push('');
}

writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(results, null, '\t') + '\n');
writeFileSync(path.join(outDir, 'latest.md'), lines.join('\n'));
console.log(lines.join('\n'));
