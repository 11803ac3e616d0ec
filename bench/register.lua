-- wrk script: POSTs the registration form, a new email address on every request.
-- bench/run.py passes the form body (with BENCH_EMAIL where the address goes),
-- the CSRF cookie and the Origin in the environment.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["Origin"] = os.getenv("BENCH_ORIGIN")
wrk.headers["Referer"] = os.getenv("BENCH_ORIGIN") .. os.getenv("BENCH_PATH")

local next_id = 0
function setup(thread)
   next_id = next_id + 1
   thread:set("tid", next_id)
end

local counter = 0
function request()
   counter = counter + 1
   local address = "bench-" .. tid .. "-" .. counter .. "%%40example.org"
   return wrk.format(nil, nil, nil, string.gsub(wrk.body, "BENCH_EMAIL", address))
end
