-- wrk script: POST /api/v1/claim-cases, each request a new case (its case_id unique to the run, thread and count).
-- Environment: SELLERS_FILE (one seller ID a line), API_KEY (a marketplace key), RUN (a tag unique to the run).
local sellers = {}
for line in io.lines(os.getenv("SELLERS_FILE")) do sellers[#sellers + 1] = line end
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("API_KEY")
wrk.headers["Content-Type"] = "application/json"
local run = os.getenv("RUN") or "R"
local amounts = {"180.00", "450.00", "999.99", "1250.00", "3800.00", "12500.00"}
local categories = {'null', 'null', '"toys"', '"baby"', '"electronics"'}
local made = 0

function setup(thread)
  made = made + 1
  thread:set("tid", made)
end

function init(args)
  counter = 0
  math.randomseed(os.time() * 1000 + (tid or 0))
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"case_id":"wrk-%s-%d-%d","seller_id":"%s","kind":"property_damage","incident_date":"2026-%02d-%02d",'
    .. '"amount_claimed":"%s","category":%s,"order_id":"ORD-%d","description":"The charger overheated and scorched a rug."}',
    run, tid, counter, sellers[math.random(#sellers)], math.random(1, 11), math.random(1, 28),
    amounts[math.random(#amounts)], categories[math.random(#categories)], counter)
  return wrk.format(nil, "/api/v1/claim-cases", nil, body)
end
