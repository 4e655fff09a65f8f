#!/usr/bin/env python3
"""The crash test's SMTP clients: sends messages to unique recipients r<i>@crash.test over several sessions, as a
mail client would: a message not answered 250 (the server was killed) is sent again until it is. Appends each
recipient answered 250 to a file. Usage: load.py host port messages sessions file"""
import smtplib
import sys
import threading
import time

HOST, PORT, N, S, OUT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
LOCK = threading.Lock()
out = open(OUT, "a", buffering=1)
nxt = [0]


def take():
    with LOCK:
        if nxt[0] >= N:
            return None
        nxt[0] += 1
        return nxt[0] - 1


def worker():
    client = None
    i = take()
    while i is not None:
        rcpt = "r%d@crash.test" % i
        # 2 KiB of body in lines of 76 octets: RFC 5321 4.5.3.1.6 limits a line to 1000, and the listener refuses longer
        msg = "From: load@crash.test\r\nTo: %s\r\nSubject: crash %d\r\n\r\n%s" % (rcpt, i, ("x" * 76 + "\r\n") * 27)
        try:
            if client is None:
                client = smtplib.SMTP(HOST, PORT, timeout=30)
                client.ehlo("load.test")
            client.sendmail("load@crash.test", [rcpt], msg)
            with LOCK:
                out.write(rcpt + "\n")
            i = take()
        except smtplib.SMTPResponseException as e:
            if e.smtp_code >= 500:
                # refused for good: a client would bounce it; not accepted, so not counted
                sys.stderr.write("%s refused: %d %s\n" % (rcpt, e.smtp_code, e.smtp_error))
                i = take()
            else:
                client = None
                time.sleep(0.5)
        except (OSError, smtplib.SMTPException):
            client = None
            time.sleep(0.5)


threads = [threading.Thread(target=worker) for _ in range(S)]
for t in threads:
    t.start()
for t in threads:
    t.join()
