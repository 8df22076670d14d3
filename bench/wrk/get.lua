-- GET /api/v1/orders/{id}: one order's detail (timeline, actions,
-- attachments), signed in with a session cookie; the person's data scope
-- is checked on every request. Ids are drawn at random from 1..BENCH_MAX_ID.
local c = dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local maxid = tonumber(os.getenv("BENCH_MAX_ID"))
local headers = { ["Cookie"] = c.cookie }

setup = c.setup
done = c.done
function init() c.init() end
function request()
	return wrk.format("GET", "/api/v1/orders/" .. math.random(1, maxid), headers)
end
function response(status, headers, body) c.check(status, 200, body) end
