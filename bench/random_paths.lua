-- wrk script for bench/api.py: send a random request line from the file named by BENCH_REQUESTS
-- ("GET /path" or "PUT /path {json body}", the admin token from BENCH_TOKEN), and print the
-- run's summary as one line of JSON.
local requests = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local method, path, body = line:match("^(%u+) (%S+) ?(.*)$")
  requests[#requests + 1] = {method = method, path = path, body = body ~= "" and body or nil}
end
local token = os.getenv("BENCH_TOKEN")

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(_args)
  math.randomseed(seed)
end

function request()
  local chosen = requests[math.random(#requests)]
  if chosen.body then
    local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
    return wrk.format(chosen.method, chosen.path, headers, chosen.body)
  end
  return wrk.format(chosen.method, chosen.path)
end

function done(summary, latency, _requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors": %d, "p50_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6,
    errors.connect + errors.read + errors.write + errors.timeout + errors.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
