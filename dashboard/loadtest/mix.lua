-- wrk script for `manage.py loadtest`: each connection asks for the paths given after `--`
-- in turn (a path prefixed "hx:" is sent as htmx sends a live refresh), with the headers
-- given to wrk with -H (the session cookie); done() prints one JSON line for the command.
local requests = {}
local next_one = 0

function init(args)
  for _, arg in ipairs(args) do
    local headers, path = {}, arg
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    if arg:sub(1, 3) == "hx:" then
      path = arg:sub(4)
      headers["HX-Request"] = "true"
    end
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
  next_one = math.random(#requests) - 1
end

function request()
  next_one = next_one % #requests + 1
  return requests[next_one]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
