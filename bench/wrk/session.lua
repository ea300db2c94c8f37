-- wrk script for one GET endpoint (or a mix): bench/run passes, in the environment,
--   BENCH_PATHS   one request per line: "PATH" or "PATH<TAB>COOKIE" (the mix: a cookie per line)
--   BENCH_COOKIE  the session and CSRF cookies for lines without their own
-- Every request says X-Forwarded-Proto: https, as the TLS proxy does. Each thread starts at
-- its own offset and cycles through the lines. done() prints one line "BENCH_JSON {...}".
local lines = {}
local index = 0

init = function(args)
  local raw = os.getenv("BENCH_PATHS") or "/"
  local cookie = os.getenv("BENCH_COOKIE") or ""
  for line in string.gmatch(raw, "[^\n]+") do
    local path, own = string.match(line, "^([^\t]+)\t(.*)$")
    if path == nil then
      path, own = line, cookie
    end
    local headers = { ["X-Forwarded-Proto"] = "https", ["Accept-Language"] = "sv" }
    if own ~= "" then
      headers["Cookie"] = own
    end
    table.insert(lines, { path = path, headers = headers })
  end
  index = math.random(#lines) - 1
end

request = function()
  index = index % #lines + 1
  local line = lines[index]
  return wrk.format("GET", line.path, line.headers)
end

done = function(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "status_errors": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean,
    latency.max))
end
