-- wrk script: sends every request with the bearer token that run.sh
-- fetched from trunksim and exported as TRUNKSIM_TOKEN.
local token = os.getenv("TRUNKSIM_TOKEN")
if token == nil or token == "" then
	error("TRUNKSIM_TOKEN is not set")
end
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"
