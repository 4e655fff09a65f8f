#!/usr/bin/env python3
"""The relay's window per delivery in the crash test (see bench/crash-relay.sh): from the sink's 250 (its
delivered.times) to the relay's delivery log line for the recipient, which the relay writes right after the settled
record. Needs the relay's log lines to begin with a UTC time in microseconds, 2026-12-03T08:21:58.498210 (the script
sets LOGGING_PATTERN_CONSOLE; logback's %d has milliseconds only, %micros adds the rest). An upper bound of the
window: the log line comes after the record. Usage: window.py WORK"""
import collections
import datetime
import re
import sys

work = sys.argv[1]
answered = {}
copies = collections.Counter()
for line in open(work + "/delivered.times"):
    rcpt, committed, ans = line.split()
    answered.setdefault(rcpt, int(ans))
    copies[rcpt] += 1
line_re = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})\s.*: to=<([^>]+)>.*status=sent ")
logged = {}
for line in open(work + "/relay.log", errors="replace"):
    m = line_re.match(line)
    if not m:
        continue
    try:
        when = datetime.datetime.fromisoformat(m.group(1)).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        continue
    micros = int(when.timestamp() * 1_000_000)
    logged.setdefault(m.group(2), micros)
# a recipient delivered twice was logged by the instance after the kill, not by the one the sink answered
gaps = sorted(logged[r] - answered[r] for r in logged if r in answered and copies[r] == 1)
if not gaps:
    print("relay's window: no delivery log line with microseconds matched the sink's answers")
    sys.exit(0)


def pct(p):
    return gaps[min(len(gaps) - 1, int(len(gaps) * p))]


print("relay's window, sink's 250 to the delivery log line (after the settled record), over %d deliveries delivered once:"
      " p50 %d µs, p90 %d µs, p99 %d µs, p99.9 %d µs, max %d µs"
      % (len(gaps), pct(0.5), pct(0.9), pct(0.99), pct(0.999), gaps[-1]))
