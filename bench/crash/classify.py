#!/usr/bin/env python3
"""Tells where each recipient the crash test's sink got twice comes from (see bench/crash-relay.sh).
Usage: classify.py WORK (the script's work directory)"""
import collections
import datetime
import re
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
# when each instance's JVM began (its first log line): between a kill and the next start no relay was running, so a
# 250 the sink sent then reached no one who could have recorded it
starts = []
start_re = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,6})(?:Z|[+-]\d\d:\d\d)?\s.*Starting \S+ using Java")
for line in open(work + "/relay.log", errors="replace"):
    m = start_re.match(line)
    if m:
        when = datetime.datetime.fromisoformat(m.group(1)).replace(tzinfo=datetime.timezone.utc)
        starts.append(int(when.timestamp() * 1_000_000))


def relay_down(t):
    """Whether t falls after a kill began and before the next instance's JVM started (False without start times)."""
    if not starts:
        return False
    for before, after in kills:
        following = [s for s in starts if s > after]
        if before <= t and (not following or t < min(following)):
            return True
    return False


counts = collections.Counter()
per_kill = collections.defaultdict(collections.Counter)
window = []


def next_kill(t):
    """The number (from 1) of the first kill that began after t, or the last kill."""
    for i, (before, after) in enumerate(kills):
        if before > t:
            return i + 1
    return len(kills)


for rcpt, copies in times.items():
    if len(copies) < 2:
        continue
    first = min(copies)
    if len(queue_ids[rcpt]) > 1:
        cause = "accepted twice"
        kill = next_kill(first[0])
    elif any(first[0] <= after and before <= first[1] for before, after in kills) or relay_down(first[1]):
        # the kill came between the sink's commit and its 250, or the sink answered a relay already dead
        cause = "server answering"
        kill = next_kill(first[0]) if not relay_down(first[0]) else max(
            i + 1 for i, (before, after) in enumerate(kills) if before <= first[0])
    else:
        # the relay had the 250 (or it was on its way) and had not recorded it when the next kill came
        cause = "relay's window"
        kill = next_kill(first[1])
        window.append(kills[kill - 1][0] - first[1])
    counts[cause] += 1
    per_kill[kill][cause] += 1
print("delivered twice by cause: accepted twice %d, server answering %d, relay's window %d (of %d kills)"
      % (counts["accepted twice"], counts["server answering"], counts["relay's window"], len(kills)))
print("delivered twice per kill: %s" % ", ".join(
    "kill %d: %d" % (k, sum(per_kill[k].values())) for k in range(1, len(kills) + 1)))
if window:
    print("relay's window: the sink's 250 came %s µs before the kill" % ", ".join(str(g) for g in sorted(window)))
