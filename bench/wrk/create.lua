-- POST /api/v1/orders as the dispatcher (cookie and CSRF token): a street
-- light order that is routed at once (accepted, assigned to the category's
-- department) and answered with its detail only after the commit is
-- durable. Titles and requesters vary.
local c = dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local area = os.getenv("BENCH_AREA") or "15"
local headers = {
	["Cookie"] = c.cookie,
	["X-CSRF-Token"] = c.csrf,
	["Content-Type"] = "application/json",
}
local roads = { "余杭塘路", "文一西路", "良睦路", "东西大道", "海曙路", "高教路" }
local n = 0

setup = c.setup
done = c.done
function init() c.init() end
function request()
	n = n + 1
	local road = roads[math.random(1, #roads)]
	local k = math.random(2, 30)
	local body = string.format(
		'{"title":"%s路灯不亮（压测%d-%d）","description":"市民来电：%s附近连续%d盏路灯晚上不亮，' ..
		'路段很暗，晚上骑车不安全，希望尽快处理。","category":"street_light","channel":"phone",' ..
		'"requester":{"kind":"person","name":"王先生","phone":"1380000%04d"},' ..
		'"address":"%s%d号","area_unit_id":%s}',
		road, tindex or 0, n, road, k, math.random(0, 9999), road, k * 3, area)
	return wrk.format("POST", "/api/v1/orders", headers, body)
end
function response(status, headers, body) c.check(status, 201, body) end
