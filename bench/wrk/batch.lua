-- wrk script: POST /api/v1/coverage/batch with prebuilt bodies of 500 varied checks, in turn.
-- Environment: BODIES_FILE (one JSON body a line), API_KEY (a marketplace key).
local bodies = {}
for line in io.lines(os.getenv("BODIES_FILE")) do bodies[#bodies + 1] = line end
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("API_KEY")
wrk.headers["Content-Type"] = "application/json"
local i = 0

function request()
  i = i % #bodies + 1
  return wrk.format(nil, "/api/v1/coverage/batch", nil, bodies[i])
end
