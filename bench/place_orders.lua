-- wrk script of bench/place_orders.py: POST /api/v1/orders/ as a random customer, with a fresh Idempotency-Key
-- on every request, counting the answers by status.
--
-- Arguments (after "--" on the wrk command line):
--   1 mode        "spread" (3 distinct random SKUs of sku_count) or "hot" (one unit of hot_sku)
--   2 tokens      file with one API token per line
--   3 sku_pattern string.format pattern of the spread SKU codes, e.g. "BENCH-%05d"
--   4 sku_count   how many spread SKUs there are (codes 1 .. sku_count)
--   5 hot_sku     code of the hot SKU
--   6 out_dir     each thread writes the order numbers of its 201 answers to out_dir/orders-<thread>.txt
--   7 tag         run tag, part of every Idempotency-Key so keys never repeat across runs

local threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

local ADDRESS = '{"name":"Bench Buyer","phone":"13800000000","province":"Shanghai","city":"Shanghai",'
   .. '"district":"Pudong","address":"1 Century Avenue","postal_code":"200120"}'

function init(args)
   mode, sku_pattern, sku_count, hot_sku, tag = args[1], args[3], tonumber(args[4]), args[5], args[7]
   tokens = {}
   for line in io.lines(args[2]) do
      if #line > 0 then table.insert(tokens, line) end
   end
   orders_out = io.open(args[6] .. "/orders-" .. id .. ".txt", "w")
   math.randomseed(os.time() * 1000 + id * 7919)
   counter, sent, got_201, got_409, got_other, other_statuses, other_sample = 0, 0, 0, 0, 0, "", ""
   path = "/api/v1/orders/"
   headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
end

local function spread_items()
   local a = math.random(sku_count)
   local b, c
   repeat b = math.random(sku_count) until b ~= a
   repeat c = math.random(sku_count) until c ~= a and c ~= b
   local line = '{"sku":"' .. sku_pattern .. '","quantity":%d}'
   return string.format("[" .. line .. "," .. line .. "," .. line .. "]",
      a, math.random(3), b, math.random(3), c, math.random(3))
end

function request()
   counter = counter + 1
   sent = sent + 1
   local items
   if mode == "hot" then
      items = '[{"sku":"' .. hot_sku .. '","quantity":1}]'
   else
      items = spread_items()
   end
   headers["Authorization"] = "Token " .. tokens[math.random(#tokens)]
   headers["Idempotency-Key"] = string.format("%s-%d-%d-%08x", tag, id, counter, math.random(0, 0x7fffffff))
   return wrk.format("POST", path, headers, '{"items":' .. items .. ',"shipping_address":' .. ADDRESS .. '}')
end

function response(status, headers, body)
   if status == 201 then
      got_201 = got_201 + 1
      local order_no = body:match('"order_no"%s*:%s*"([^"]+)"')
      orders_out:write(order_no or "?", "\n")
      -- Flush now: wrk's threads never close their Lua states, so a buffered tail could be lost.
      orders_out:flush()
   elseif status == 409 then
      got_409 = got_409 + 1
   else
      got_other = got_other + 1
      if #other_statuses < 200 then other_statuses = other_statuses .. status .. " " end
      if other_sample == "" then other_sample = string.sub(body or "", 1, 300):gsub("%s+", " ") end
   end
end

function done(summary, latency, requests)
   local total = { sent = 0, got_201 = 0, got_409 = 0, got_other = 0 }
   local statuses, sample = "", ""
   for _, thread in ipairs(threads) do
      for name, _ in pairs(total) do total[name] = total[name] + thread:get(name) end
      statuses = statuses .. thread:get("other_statuses")
      if sample == "" then sample = thread:get("other_sample") end
   end
   local e = summary.errors
   io.write(string.format(
      "BENCH sent=%d status_201=%d status_409=%d status_other=%d responses=%d duration_us=%d "
         .. "p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%d "
         .. "err_connect=%d err_read=%d err_write=%d err_timeout=%d\n",
      total.sent, total.got_201, total.got_409, total.got_other, summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
      e.connect, e.read, e.write, e.timeout))
   io.write("BENCH_OTHER_STATUSES " .. statuses .. "\n")
   io.write("BENCH_OTHER_SAMPLE " .. sample .. "\n")
end
