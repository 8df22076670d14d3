-- POST /api/v1/orders/{id}/actions/...: state changes through the one
-- transition path. The orders BENCH_FIRST_ID..BENCH_LAST_ID are assigned to
-- department BENCH_UNIT; a member of it returns one (assigned -> returned,
-- cookie BENCH_COOKIE2) and the dispatcher assigns it back (returned ->
-- assigned), over and over. Each thread owns the ids with id % threads ==
-- its index, and an id goes back in its queue only when the answer says
-- what state it is in, so no two requests race on one order.
local c = dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local first = tonumber(os.getenv("BENCH_FIRST_ID"))
local last = tonumber(os.getenv("BENCH_LAST_ID"))
-- The warm-up works on the first fifth of the orders, the measured run on
-- the rest, so each starts from orders in the state it expects.
local cut = first + math.floor((last - first + 1) / 5)
if os.getenv("BENCH_IN_WARMUP") then last = cut - 1 else first = cut end
local unit = os.getenv("BENCH_UNIT")
local dispatcher = {
	["Cookie"] = c.cookie, ["X-CSRF-Token"] = c.csrf, ["Content-Type"] = "application/json",
}
local member = {
	["Cookie"] = os.getenv("BENCH_COOKIE2"), ["X-CSRF-Token"] = os.getenv("BENCH_CSRF2"),
	["Content-Type"] = "application/json",
}
local queue, head, tail = {}, 1, 0

local function push(id, state)
	tail = tail + 1
	queue[tail] = { id, state }
end

setup = c.setup
done = c.done
function init()
	c.init()
	for id = first, last do
		if id % tcount == tindex - 1 then push(id, "assigned") end
	end
end
function request()
	if head > tail then
		-- Everything is in flight: ask for something harmless.
		return wrk.format("GET", "/api/v1/orders/" .. first, dispatcher)
	end
	local item = queue[head]
	queue[head] = nil
	head = head + 1
	if item[2] == "assigned" then
		return wrk.format("POST", "/api/v1/orders/" .. item[1] .. "/actions/return", member,
			'{"reason":"function","text":"不属于本科室职能，请重新分派。"}')
	end
	return wrk.format("POST", "/api/v1/orders/" .. item[1] .. "/actions/assign", dispatcher,
		'{"unit_id":' .. unit .. '}')
end
function response(status, headers, body)
	c.check(status, 200, body)
	if status == 200 then
		local id = string.match(body, '^{"id":(%d+)')
		local state = string.match(body, '"state":"([%a_]+)"')
		if id and state then push(tonumber(id), state) end
	end
end
