-- wrk script: GET /api/v1/claim-cases with the query QUERY; with SELLERS_FILE, seller_id= a random seller of it.
-- Environment: API_KEY (a marketplace key), QUERY (e.g. "per_page=50&state=paid"), SELLERS_FILE (optional).
wrk.headers["Authorization"] = "Bearer " .. os.getenv("API_KEY")
local query = os.getenv("QUERY") or "per_page=50"
local sellers = {}
local file = os.getenv("SELLERS_FILE")
if file and file ~= "" then
  for line in io.lines(file) do sellers[#sellers + 1] = line end
end

function init(args)
  math.randomseed(os.time())
end

function request()
  local path = "/api/v1/claim-cases?" .. query
  if #sellers > 0 then path = path .. "&seller_id=" .. sellers[math.random(#sellers)] end
  return wrk.format("GET", path)
end
