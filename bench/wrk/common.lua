-- Shared by the scenario scripts (loaded with dofile): the session cookie
-- and CSRF token from the environment, per-thread random seeds, and a
-- check that every answer had the status the scenario expects.
local M = {}

M.cookie = os.getenv("BENCH_COOKIE") or ""
M.csrf = os.getenv("BENCH_CSRF") or ""

local threads = {}
local counter = 0

-- wrk calls setup once per thread in the main state: number the threads.
function M.setup(thread)
	counter = counter + 1
	thread:set("tindex", counter)
	thread:set("tcount", tonumber(os.getenv("BENCH_THREADS") or "2"))
	table.insert(threads, thread)
end

function M.init()
	math.randomseed(os.time() * 1000 + (tindex or 1))
	bad = 0
end

-- Count answers whose status is not the expected one; done() prints the
-- count, and the first few are written to stderr with their body.
function M.check(status, want, body)
	if status ~= want then
		bad = bad + 1
		if bad <= 3 then
			io.stderr:write("unexpected status " .. status .. ": " ..
				string.sub(body or "", 1, 300) .. "\n")
		end
	end
end

function M.done()
	local total = 0
	for _, t in ipairs(threads) do
		total = total + (t:get("bad") or 0)
	end
	io.stdout:write(string.format("BENCH_BAD %d\n", total))
end

function M.split(s)
	local out = {}
	for item in string.gmatch(s or "", "[^,]+") do
		table.insert(out, item)
	end
	return out
end

return M
