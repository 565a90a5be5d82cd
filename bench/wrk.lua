-- wrk script for bench/loadgen.py.
-- GET pages: BENCH_COOKIE is sent with every request.
-- Booking: BENCH_PLAN names a file of "path<TAB>cookie<TAB>form body" lines; each request takes
-- the next line, so every POST books a different free slot. Wrapping around is reported, because
-- a repeated line would measure the "slot taken" error path instead of a booking.
local cookie = os.getenv("BENCH_COOKIE") or ""
local plan = os.getenv("BENCH_PLAN") or ""
local lines, next_line = {}, 0
ok, redirects, client_errors, server_errors, wrapped = 0, 0, 0, 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  if cookie ~= "" then wrk.headers["Cookie"] = cookie end
  if plan ~= "" then
    for line in io.lines(plan) do table.insert(lines, line) end
  end
end

function request()
  if #lines == 0 then return wrk.request() end
  next_line = next_line + 1
  if next_line > #lines then next_line, wrapped = 1, wrapped + 1 end
  local path, session, body = lines[next_line]:match("^([^\t]*)\t([^\t]*)\t(.*)$")
  return wrk.format("POST", path, {
    ["Cookie"] = session,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

function response(status, headers, body)
  if status < 300 then ok = ok + 1
  elseif status < 400 then redirects = redirects + 1
  elseif status < 500 then client_errors = client_errors + 1
  else server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
  local counts = {ok = 0, redirects = 0, client_errors = 0, server_errors = 0, wrapped = 0}
  for _, t in ipairs(threads) do
    for name, _ in pairs(counts) do counts[name] = counts[name] + (t:get(name) or 0) end
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "p50_us": %d, ' ..
    '"p95_us": %d, "p99_us": %d, "ok": %d, "redirects": %d, "client_errors": %d, ' ..
    '"server_errors": %d, "wrapped": %d}\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    counts.ok, counts.redirects, counts.client_errors, counts.server_errors, counts.wrapped))
end
