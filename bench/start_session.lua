-- wrk: POST /api/v1/sessions, a new plate on every request (a plate may hold one session per zone).
-- Reads TOKEN, CARD, ZONE and RUN (a letter per run on the same database) from the environment.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
end

function request()
  counter = counter + 1
  local plate = string.format("B%s%02d%06d", os.getenv("RUN"), thread_id, counter)
  local body = string.format(
    '{"zone_code": "%s", "plate": "%s", "duration_minutes": 60, "payment_method_id": "%s"}',
    os.getenv("ZONE"), plate, os.getenv("CARD"))
  return wrk.format(nil, "/api/v1/sessions", nil, body)
end
