-- wrk script: each request asks for one 100-object page starting at a random point
-- of the collection (a random `added_after` between the first and last date_added),
-- so the benchmark measures real reads across the whole collection, not one hot page.
-- Arguments (after `--`): path first_micros last_micros token
local path, first, last, token

function init(args)
  path = args[1]
  first = tonumber(args[2])
  last = tonumber(args[3])
  token = args[4]
  math.randomseed(8470 + math.floor(os.clock() * 1000000))
end

local function stamp(micros)
  local seconds = math.floor(micros / 1000000)
  return os.date("!%Y-%m-%dT%H:%M:%S", seconds) .. string.format(".%06dZ", micros - seconds * 1000000)
end

function request()
  -- Stay 100 objects' worth away from the end so every page is full.
  local span = (last - first) * 0.999
  local after = first + math.floor(math.random() * span)
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Accept"] = "application/taxii+json;version=2.1",
  }
  return wrk.format("GET", path .. "?limit=100&added_after=" .. stamp(after), headers)
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests_per_second=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d\n",
    summary.requests / (summary.duration / 1000000),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
