#!/usr/bin/env python3
"""A minimal SMTP sink for the crash test: accepts everything and appends each delivered recipient, one per line,
to a file once the message's final dot is answered. Usage: sink.py port file"""
import socketserver
import sys
import threading

LOCK = threading.Lock()
OUT = open(sys.argv[2], "a", buffering=1)


class Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.reply("220 sink.test ESMTP")
        rcpts = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250-sink.test\r\n250-PIPELINING\r\n250 8BITMIME")
            elif verb == b"MAIL":
                rcpts = []
                self.reply("250 2.1.0 ok")
            elif verb == b"RCPT":
                rcpts.append(line.decode().split("<", 1)[1].split(">", 1)[0])
                self.reply("250 2.1.5 ok")
            elif verb == b"DATA":
                self.reply("354 go ahead")
                while True:
                    data = self.rfile.readline()
                    if not data:
                        return
                    if data in (b".\r\n", b".\n"):
                        break
                with LOCK:
                    for r in rcpts:
                        OUT.write(r + "\n")
                self.reply("250 2.0.0 queued")
                rcpts = []
            elif verb == b"RSET":
                rcpts = []
                self.reply("250 2.0.0 ok")
            elif verb == b"QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("250 2.0.0 ok")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


Server(("127.0.0.1", int(sys.argv[1])), Session).serve_forever()
