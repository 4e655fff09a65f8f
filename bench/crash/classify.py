#!/usr/bin/env python3
"""Tells where each recipient the crash test's sink got twice comes from (see bench/crash-relay.sh).
Usage: classify.py WORK (the script's work directory)"""
import collections
import sys

work = sys.argv[1]
kills = [int(x) for x in open(work + "/kills").read().split()]
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
for rcpt, copies in times.items():
    if len(copies) < 2:
        continue
    first = min(copies)
    if len(queue_ids[rcpt]) > 1:
        counts["accepted twice"] += 1
    elif any(first[0] <= k <= first[1] for k in kills):
        counts["server answering"] += 1
    else:
        counts["relay's window"] += 1
print("delivered twice by cause: accepted twice %d, server answering %d, relay's window %d (of %d kills)"
      % (counts["accepted twice"], counts["server answering"], counts["relay's window"], len(kills)))
