-- wrk: GET PATH_PREFIX .. plate, a different plate of P0000000..P<PLATES - 1> on every request
-- (so a check is never answered from a cache the previous request warmed). AUTH, if set, is sent
-- as the Authorization header (a scan car's "ApiKey ...").
local counter = 0
local prefix = os.getenv("PATH_PREFIX")
local plates = tonumber(os.getenv("PLATES"))

function init(args)
  local auth = os.getenv("AUTH")
  if auth ~= nil and auth ~= "" then
    wrk.headers["Authorization"] = auth
  end
  counter = math.random(0, plates - 1)
end

function request()
  counter = (counter + 7919) % plates
  return wrk.format("GET", prefix .. string.format("P%07d", counter))
end
