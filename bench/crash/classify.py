#!/usr/bin/env python3
"""Tells where each recipient the crash test's sink got twice comes from (see bench/crash-relay.sh).
Usage: classify.py WORK (the script's work directory)"""
import collections
import sys

work = sys.argv[1]
# one line per kill: the wall clock in microseconds just before and just after the signal (an older run: one value)
kills = []
for line in open(work + "/kills"):
    values = [int(x) for x in line.split()]
    if values:
        kills.append((values[0], values[-1]))
times = collections.defaultdict(list)
for line in open(work + "/delivered.times"):
    rcpt, committed, answered = line.split()
    times[rcpt].append((int(committed), int(answered)))
queue_ids = collections.defaultdict(set)
for line in open(work + "/artemis/settled-recipients.dat"):
    parts = line.split()
    if len(parts) == 2:
        queue_ids[parts[1]].add(parts[0])
counts = collections.Counter()
per_kill = collections.Counter()
window = []
for rcpt, copies in times.items():
    if len(copies) < 2:
        continue
    first = min(copies)
    if len(queue_ids[rcpt]) > 1:
        counts["accepted twice"] += 1
    elif any(first[0] <= after and before <= first[1] for before, after in kills):
        # the kill may have come between the sink's commit and its 250
        counts["server answering"] += 1
    else:
        counts["relay's window"] += 1
        # the kill that came next: the relay had the 250 (or it was on its way) and had not recorded it by then
        following = [(before - first[1], i) for i, (before, after) in enumerate(kills) if before > first[1]]
        if following:
            gap, i = min(following)
            per_kill[i + 1] += 1
            window.append(gap)
print("delivered twice by cause: accepted twice %d, server answering %d, relay's window %d (of %d kills)"
      % (counts["accepted twice"], counts["server answering"], counts["relay's window"], len(kills)))
if window:
    print("relay's window per kill: %s; the sink's 250 came %s µs before the kill"
          % (", ".join("kill %d: %d" % (k, per_kill[k]) for k in range(1, len(kills) + 1)),
             ", ".join(str(g) for g in sorted(window))))
