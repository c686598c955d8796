#!/usr/bin/env bash
# sheetcrm from cron: nightly import + refresh, a daily reminder, a weekly report.
#
# Install (crontab -e), with the folder that holds sheetcrm.toml:
#   15 2 * * *   cd /srv/shop && /srv/shop/cron-example.sh nightly
#   0  8 * * 1-5 cd /srv/shop && /srv/shop/cron-example.sh remind
#   0  9 * * 1   cd /srv/shop && /srv/shop/cron-example.sh weekly
#
# Exit codes (see the README): 0 ok, 3 bad input, 4 conflicts recorded (done, but look at
# the _conflicts tab), 5 another run holds the lock (skip; the next run will do it),
# 6 temporary failure such as a rate limit (retried once below), 7 configuration.
# SMTP passwords come from the environment (SHEETCRM_SMTP_PASSWORD), never arguments.
set -u
LOG=${SHEETCRM_LOG:-sheetcrm.log}

run() {  # run a sheetcrm command; retry once after a temporary failure; log JSON lines
  sheetcrm --log-json --quiet "$@" 2>>"$LOG"
  local code=$?
  if [ "$code" -eq 6 ]; then
    sleep 120
    sheetcrm --log-json --quiet "$@" 2>>"$LOG"
    code=$?
  fi
  case "$code" in
    0|4) return 0 ;;          # 4: finished, conflicts are in the _conflicts tab
    5) echo "sheetcrm $1: another run is writing; skipped" >>"$LOG"; return 0 ;;
    *) return "$code" ;;      # cron mails the failure to MAILTO
  esac
}

case "${1:-}" in
  nightly)
    for file in incoming/*.csv; do
      [ -e "$file" ] || continue
      run import "$file" --preset transactions && mv "$file" imported/
    done
    run refresh
    ;;
  remind) run remind --email --csv "winback-$(date +%F).csv" ;;
  weekly) run report --period week --email "${REPORT_TO:?set REPORT_TO to the address of the manager}" ;;
  *) echo "usage: $0 nightly|remind|weekly" >&2; exit 2 ;;
esac
