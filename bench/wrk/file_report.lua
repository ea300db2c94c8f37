-- wrk script for the write: a teacher files a report of concern, as a browser does, in two
-- POSTs: "start a draft" (/anmalan/new/ -> 302 to /anmalan/drafts/<id>/), then the draft's
-- form with "submit" (-> 302 to the report's status page). bench/run passes, in the
-- environment, BENCH_COOKIE (session + CSRF cookies), BENCH_ORIGIN (https://host:port),
-- BENCH_NEW_BODY and BENCH_SUBMIT_BODY (url-encoded forms with the CSRF token), which it took
-- from one filing made with the Python client. A thread's connections share a queue of drafts
-- to submit. done() prints "BENCH_JSON {...}" with the number of whole filings.
local threads = {}
local drafts = {}
-- Globals, not locals: done() reads them from each thread with thread:get().
started, filed, refused = 0, 0, 0
local headers, new_body, submit_body

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  local origin = os.getenv("BENCH_ORIGIN") or ""
  headers = {
    ["X-Forwarded-Proto"] = "https",
    ["Accept-Language"] = "sv",
    ["Cookie"] = os.getenv("BENCH_COOKIE") or "",
    ["Origin"] = origin,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  new_body = os.getenv("BENCH_NEW_BODY") or ""
  submit_body = os.getenv("BENCH_SUBMIT_BODY") or ""
  headers["Referer"] = origin .. "/anmalan/new/"
end

request = function()
  local draft = table.remove(drafts, 1)
  if draft ~= nil then
    headers["Referer"] = os.getenv("BENCH_ORIGIN") .. draft
    return wrk.format("POST", draft, headers, submit_body)
  end
  return wrk.format("POST", "/anmalan/new/", headers, new_body)
end

response = function(status, response_headers, body)
  local location = response_headers["Location"] or response_headers["location"] or ""
  if status == 302 and string.find(location, "/drafts/", 1, true) then
    started = started + 1
    local path = string.gsub(location, "^https?://[^/]+", "")
    table.insert(drafts, path)
  elseif status == 302 then
    filed = filed + 1
  else
    refused = refused + 1
  end
end

done = function(summary, latency, requests)
  local total_started, total_filed, total_refused = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_started = total_started + (thread:get("started") or 0)
    total_filed = total_filed + (thread:get("filed") or 0)
    total_refused = total_refused + (thread:get("refused") or 0)
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "status_errors": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "mean_us": %.1f, "max_us": %d, "drafts_started": %d, "filed": %d, '
      .. '"refused": %d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean,
    latency.max, total_started, total_filed, total_refused))
end
