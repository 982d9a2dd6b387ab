-- wrk script: a different X-Session-Id per request (4096 sessions in turn), pre-formatted so wrk spends no time on it.
local requests, count, i = {}, 4096, 0
function init(args)
  for k = 1, count do
    wrk.headers["X-Session-Id"] = "session-" .. k
    requests[k] = wrk.format()
  end
end
function request()
  i = i % count + 1
  return requests[i]
end
