-- GET /api/v1/orders?q=...: Chinese substring search, newest first (or in
-- the order BENCH_SORT names, e.g. deadline), 20 a page; the term rotates
-- over BENCH_TERMS (URL-encoded, comma-separated).
local c = dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local terms = c.split(os.getenv("BENCH_TERMS"))
local headers = { ["Cookie"] = c.cookie }
local sort = os.getenv("BENCH_SORT")
local base = "/api/v1/orders?limit=20" .. (sort and sort ~= "" and ("&sort=" .. sort) or "") .. "&q="

setup = c.setup
done = c.done
function init() c.init() end
function request()
	return wrk.format("GET", base .. terms[math.random(1, #terms)], headers)
end
function response(status, headers, body) c.check(status, 200, body) end
