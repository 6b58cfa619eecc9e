-- wrk script of the request-path benchmark (wrk -t1 only: one Lua state, one counter).
-- BENCH_TOKEN: bearer token; BENCH_METHOD=POST sends a location with a unique name per request.
-- done() prints one line "BENCH_JSON {...}" with the count, duration, failures and latency percentiles.
local token = os.getenv("BENCH_TOKEN")
-- BENCH_INTERNAL: a gateway-minted credential, for requests sent straight at a service.
local internal = os.getenv("BENCH_INTERNAL")
if internal ~= nil and internal ~= "" then
  wrk.headers["X-Internal-Token"] = internal
end
local method = os.getenv("BENCH_METHOD") or "GET"
local prefix = os.getenv("BENCH_PREFIX") or tostring(os.time())
local counter = 0

if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

if method == "POST" then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  request = function()
    counter = counter + 1
    local body = string.format(
      '{"name":"Bench %s-%d","region":"north","facts":{"internet_down_mbps":300,"pms":"dentrix"}}',
      prefix, counter)
    return wrk.format(nil, nil, nil, body)
  end
end

-- BENCH_REQUESTS: a file of pre-signed webhook deliveries, one per line: "id<TAB>timestamp<TAB>signature<TAB>body".
local requests_file = os.getenv("BENCH_REQUESTS")
if requests_file ~= nil and requests_file ~= "" then
  local deliveries = {}
  for line in io.lines(requests_file) do
    local id, stamp, signature, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    deliveries[#deliveries + 1] = {id, stamp, signature, body}
  end
  wrk.method = "POST"
  request = function()
    counter = counter + 1
    local d = deliveries[((counter - 1) % #deliveries) + 1]
    local headers = {["Content-Type"] = "application/json", ["webhook-id"] = d[1], ["webhook-timestamp"] = d[2],
                     ["webhook-signature"] = d[3]}
    return wrk.format(nil, nil, headers, d[4])
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
