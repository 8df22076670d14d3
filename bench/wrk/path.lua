-- GET BENCH_PATH (the dashboard's counts, the Open311 requests list, a
-- static file), signed in when BENCH_COOKIE is set.
local c = dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local path = os.getenv("BENCH_PATH")
local headers = {}
if c.cookie ~= "" then headers["Cookie"] = c.cookie end

setup = c.setup
done = c.done
function init() c.init() end
function request() return wrk.format("GET", path, headers) end
function response(status, headers, body) c.check(status, 200, body) end
