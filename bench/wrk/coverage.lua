-- wrk script: GET /api/v1/coverage for random sellers, incident dates, amounts and categories.
-- Environment: SELLERS_FILE (one seller ID a line), API_KEY (a marketplace key).
local sellers = {}
for line in io.lines(os.getenv("SELLERS_FILE")) do sellers[#sellers + 1] = line end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("API_KEY")
local amounts = {"250.00", "999.99", "1000.00", "1000.01", "2500.00", "75000.00"}
local categories = {"", "", "&category=toys", "&category=baby", "&category=electronics"}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  local seller = sellers[math.random(#sellers)]
  local day = string.format("%d-%02d-%02d", math.random(2023, 2026), math.random(1, 12), math.random(1, 28))
  local path = "/api/v1/coverage?seller_id=" .. seller .. "&incident_date=" .. day .. "&amount="
    .. amounts[math.random(#amounts)] .. categories[math.random(#categories)]
  return wrk.format("GET", path)
end
