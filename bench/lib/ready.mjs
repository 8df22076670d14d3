// Start `sanfu serve` and time how long it takes until /healthz answers 200:
//   node bench/lib/ready.mjs LOGFILE PORT -- SANFU ARGS...
// Prints "PID MS" and leaves the server running (detached). Polls every
// millisecond over a kept-alive connection; gives up after 60 s.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import http from 'node:http';

const [log, port, sep, cmd, ...args] = process.argv.slice(2);
if (sep !== '--' || !cmd) {
	console.error('usage: ready.mjs LOGFILE PORT -- COMMAND ARGS...');
	process.exit(2);
}
const out = openSync(log, 'a');
const t0 = process.hrtime.bigint();
const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
child.unref();
let exited = false;
child.on('exit', (code) => {
	exited = true;
	console.error(`server exited with ${code} before answering; see ${log}`);
	process.exit(1);
});

function probe() {
	return new Promise((resolve) => {
		const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/healthz', timeout: 1000 }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode === 200));
		});
		req.on('error', () => resolve(false));
		req.on('timeout', () => { req.destroy(); resolve(false); });
	});
}

for (;;) {
	if (await probe()) break;
	if (exited) process.exit(1);
	if (Number(process.hrtime.bigint() - t0) > 60e9) {
		console.error('server not ready after 60 s');
		process.exit(1);
	}
	await new Promise((r) => setTimeout(r, 1));
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
child.removeAllListeners('exit');
console.log(`${child.pid} ${ms.toFixed(1)}`);
process.exit(0);
