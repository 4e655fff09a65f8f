#!/usr/bin/env bash
# Starts (or stops) Debian's Postfix as a plain relay on 127.0.0.1:$POSTFIX_PORT that forwards everything to
# the sink at 127.0.0.1:$SINK_PORT: the peer the relay server is measured against.
# Usage: bench/postfix-relay.sh start|stop|wait-empty
set -euo pipefail
POSTFIX_PORT=${POSTFIX_PORT:-2626}
SINK_PORT=${SINK_PORT:-25250}
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
case "${1:-start}" in
  start)
    if [ ! -x /usr/sbin/postfix ]; then
      echo "postfix postfix/main_mailer_type select No configuration" | $sudo_cmd debconf-set-selections
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q postfix >/dev/null
    fi
    $sudo_cmd postfix stop >/dev/null 2>&1 || true
    # installed with "No configuration" there is no main.cf yet: start from the one Debian writes for a configured install
    [ -f /etc/postfix/main.cf ] || $sudo_cmd cp /usr/share/postfix/main.cf.debian /etc/postfix/main.cf
    $sudo_cmd postconf -e "relayhost = [127.0.0.1]:$SINK_PORT" "inet_interfaces = loopback-only" \
      "inet_protocols = ipv4" "mynetworks = 127.0.0.0/8" "myhostname = postfix.bench.test" \
      "mydestination =" "smtpd_relay_restrictions = permit_mynetworks, reject" \
      "default_destination_concurrency_limit = 20" "smtp_tls_security_level = none" \
      "maillog_file = /var/log/postfix-bench.log" "message_size_limit = 52428800"
    # an smtpd on the benchmark port beside the normal one
    if ! $sudo_cmd postconf -M "$POSTFIX_PORT/inet" >/dev/null 2>&1 || [ -z "$($sudo_cmd postconf -M "$POSTFIX_PORT/inet")" ]; then
      $sudo_cmd postconf -M "$POSTFIX_PORT/inet=$POSTFIX_PORT inet n - y - - smtpd"
    fi
    $sudo_cmd postfix start >/dev/null 2>&1
    ;;
  wait-empty)
    until postqueue -p 2>/dev/null | grep -q "Mail queue is empty"; do sleep 0.2; done
    ;;
  stop)
    $sudo_cmd postfix stop >/dev/null 2>&1 || true
    ;;
esac
