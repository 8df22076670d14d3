-- GET /api/v1/orders with an inbox's filters: the orders a department is
-- handling (assigned, in progress, returned, reopened), newest first, 20 a
-- page; the department rotates over BENCH_DEPTS (unit ids).
local c = dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local depts = c.split(os.getenv("BENCH_DEPTS"))
local headers = { ["Cookie"] = c.cookie }

setup = c.setup
done = c.done
function init() c.init() end
function request()
	local d = depts[math.random(1, #depts)]
	return wrk.format("GET",
		"/api/v1/orders?state=assigned,in_progress,returned,reopened&unit=" .. d .. "&limit=20",
		headers)
end
function response(status, headers, body) c.check(status, 200, body) end
