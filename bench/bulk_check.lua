-- wrk: POST /api/v1/enforcement/check with BULK plates (a scan car's batch), the same body on
-- every request. Reads AUTH ("ApiKey ..."), ZONE and BULK from the environment.
local plates = {}
for k = 0, tonumber(os.getenv("BULK")) - 1 do
  plates[#plates + 1] = string.format('"P%07d"', k)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("AUTH")
wrk.body = string.format('{"zone": "%s", "plates": [%s]}', os.getenv("ZONE"), table.concat(plates, ","))
