-- wrk script: POST /api/v1/policies, each request a new policy (per-thread numbering, unique per run).
-- Environment: API_KEY (an insurer key), RUN (a tag making this run's policy numbers unique).
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("API_KEY")
wrk.headers["Content-Type"] = "application/json"
local run = os.getenv("RUN") or "R"
local made = 0

function setup(thread)
  made = made + 1
  thread:set("tid", made)
end

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"policy_number":"B%s-%d-%d","seller_id":"BENCH%06d","effective_date":"2026-01-01",'
    .. '"expiration_date":"2027-01-01","per_occurrence_limit":"1000000.00","aggregate_limit":"2000000.00",'
    .. '"deductible":"2500.00","additional_insured":true,"excluded_categories":["baby"]}',
    run, tid, counter, (tid * 100000 + counter) % 20000)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("BENCH requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
