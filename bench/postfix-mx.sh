#!/usr/bin/env bash
# A second, private Postfix instance (its own config, queue and data directories; the default instance, which
# bench/postfix-relay.sh configures, is left alone) that delivers by MX: the peer of benchmark 3. It accepts mail on
# 127.0.0.1:$POSTFIX_MX_PORT and its smtp client, chrooted, resolves MX and A records through the resolv.conf inside
# its own chroot, which names $DNS_ADDRESS (port 53, the only port resolv.conf can name). The machine's
# /etc/resolv.conf is not touched.
# Usage: bench/postfix-mx.sh start|wait-empty|stop   (stop also deletes the instance's directories)
set -euo pipefail
POSTFIX_MX_PORT=${POSTFIX_MX_PORT:-2627}
DNS_ADDRESS=${DNS_ADDRESS:-127.0.0.6}
CONF=/etc/postfix-mxbench
QUEUE=/var/spool/postfix-mxbench
DATA=/var/lib/postfix-mxbench
LOG=/var/log/postfix-mxbench.log
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

stop() {
  if [ -f $CONF/main.cf ]; then
    $sudo_cmd postfix -c $CONF stop >/dev/null 2>&1 || true
    # the master exits a moment after "stop", and its children with it
    for _ in $(seq 50); do $sudo_cmd postfix -c $CONF status >/dev/null 2>&1 || break; sleep 0.1; done
  fi
  $sudo_cmd rm -rf $CONF $QUEUE $DATA
}

case "${1:-start}" in
  start)
    if [ ! -x /usr/sbin/postfix ]; then
      echo "postfix postfix/main_mailer_type select No configuration" | $sudo_cmd debconf-set-selections
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q postfix >/dev/null
    fi
    stop
    $sudo_cmd mkdir -p $CONF $QUEUE/etc $DATA
    $sudo_cmd chown postfix $DATA
    $sudo_cmd tee $CONF/main.cf >/dev/null <<EOF
compatibility_level = 3.6
queue_directory = $QUEUE
data_directory = $DATA
maillog_file = $LOG
syslog_name = postfix-mxbench
myhostname = postfix-mx.bench.test
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
biff = no
append_dot_mydomain = no
# 127.0.0.1 only: the sinks at 127.0.0.2-5 must not count as this host, or Postfix reports a mail loop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost =
smtp_host_lookup = dns
disable_dns_lookups = no
smtp_tls_security_level = none
default_destination_concurrency_limit = 20
message_size_limit = 52428800
EOF
    # only what delivery by SMTP needs; the smtp client chrooted (y), as Debian ships it
    $sudo_cmd tee $CONF/master.cf >/dev/null <<EOF
127.0.0.1:$POSTFIX_MX_PORT inet n - y - - smtpd
cleanup   unix  n       -       y       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       y       -       -       trivial-rewrite
bounce    unix  -       -       y       -       0       bounce
defer     unix  -       -       y       -       0       bounce
trace     unix  -       -       y       -       0       bounce
verify    unix  -       -       y       -       1       verify
flush     unix  n       -       y       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       y       -       -       smtp
relay     unix  -       -       y       -       -       smtp
showq     unix  n       -       y       -       -       showq
error     unix  -       -       y       -       -       error
retry     unix  -       -       y       -       -       error
discard   unix  -       -       y       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       y       -       1       anvil
scache    unix  -       -       y       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    # the chroot's own resolver configuration: the benchmark's DNS server and nothing else
    echo "nameserver $DNS_ADDRESS" | $sudo_cmd tee $QUEUE/etc/resolv.conf >/dev/null
    for f in localtime services; do [ -f /etc/$f ] && $sudo_cmd cp -L /etc/$f $QUEUE/etc/$f; done
    $sudo_cmd sh -c ": > $LOG"
    $sudo_cmd postfix -c $CONF check
    $sudo_cmd postfix -c $CONF start >/dev/null 2>&1
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$POSTFIX_MX_PORT) 2>/dev/null && exit 0; sleep 0.2; done
    echo "postfix-mx: no smtpd on 127.0.0.1:$POSTFIX_MX_PORT, see $LOG" >&2; exit 1
    ;;
  wait-empty)
    # until no message is left in the queue; fails on any deferral or bounce, since a run then measures nothing
    while [ -n "$($sudo_cmd find $QUEUE/maildrop $QUEUE/incoming $QUEUE/active $QUEUE/deferred -type f -print -quit 2>/dev/null)" ]; do
      if $sudo_cmd grep -qE 'status=(deferred|bounced)' $LOG; then
        $sudo_cmd grep -E 'status=(deferred|bounced)' $LOG | head -3 >&2
        exit 1
      fi
      sleep 0.1
    done
    if $sudo_cmd grep -qE 'status=(deferred|bounced)' $LOG; then
      $sudo_cmd grep -E 'status=(deferred|bounced)' $LOG | head -3 >&2
      exit 1
    fi
    ;;
  stop)
    stop
    ;;
esac
