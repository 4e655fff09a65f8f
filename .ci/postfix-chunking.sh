#!/usr/bin/env bash
# Delivers messages with the smtprelay producer to a real Postfix smtpd (which offers CHUNKING, 8BITMIME, DSN and
# SMTPUTF8) and checks what Postfix's virtual(8) agent wrote to its maildir: BDAT chunks of a large message with
# lines that start with a dot, byte for byte. Not part of `mvn verify` (it needs root and the postfix package).
#
#   sudo .ci/postfix-chunking.sh          # from the repository root; installs postfix with apt-get if missing
#
# A private Postfix instance (its own config, queue and data directories under a temporary directory, smtpd on
# 127.0.0.1:${PORT:-2526}) is started and stopped; the system's own Postfix, if any, is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-2526}
if ! command -v postfix >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix
fi
WORK=$(mktemp -d /tmp/pfchunk.XXXXXX)
chmod 755 "$WORK"
CONF=$WORK/conf
MAIL=$WORK/mail
mkdir -p "$CONF" "$WORK/queue" "$WORK/data" "$MAIL"
chown postfix "$WORK/data"
chown -R nobody:nogroup "$MAIL"
cp /etc/postfix/master.cf "$CONF/master.cf"
# only our smtpd listens, on a loopback port
sed -i -E -e 's/^smtp[[:space:]]+inet.*/127.0.0.1:'"$PORT"' inet n - n - - smtpd/' -e '/^(submission|smtps)[[:space:]]/d' "$CONF/master.cf"
cat > "$CONF/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $WORK/queue
data_directory = $WORK/data
myhostname = postfix.chunking.test
mydestination =
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtputf8_enable = yes
virtual_mailbox_domains = example.test
virtual_mailbox_base = $MAIL
virtual_mailbox_maps = static:bob/
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
message_size_limit = 52428800
virtual_mailbox_limit = 0
maillog_file_prefixes = /tmp
maillog_file = $WORK/maillog
CF
# no chroot: the private queue directory has none of the files a chroot needs
postconf -c "$CONF" -F '*/*/chroot = n'
postfix -c "$CONF" check
trap 'postfix -c "$CONF" stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
postfix -c "$CONF" start
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.2; done
printf 'EHLO probe\r\nQUIT\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat >&3; cat <&3" | tr -d '\r' | grep -E '^250' || true

POSTFIX_SMTP_PORT=$PORT POSTFIX_MAILDIR=$MAIL/bob mvn -B -q test -pl camel-relay-component -Dtest=PostfixChunkingTest \
    -Dsurefire.failIfNoSpecifiedTests=false
echo "Postfix log:"; grep -E 'smtpd|virtual' "$WORK/maillog" | tail -n 20 || true
echo "PASS: Postfix took the BDAT messages intact"
