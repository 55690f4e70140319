-- wrk's summary as one JSON line for bench/run.py: latency percentiles (microseconds),
-- requests per second and the count of non-2xx answers, so a failing page cannot pass as fast.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"p50": %d, "p95": %d, "p99": %d, "requests": %d, "per_second": %.1f, "errors": %d}\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, summary.requests / seconds,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
