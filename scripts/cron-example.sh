#!/usr/bin/env bash
# sheetcrm from cron: nightly import + refresh, a daily reminder, a weekly report.
#
# Install (crontab -e), with the folder that holds sheetcrm.toml:
#   MAILTO=you@example.com
#   15 2 * * *   cd /srv/shop && /srv/shop/cron-example.sh nightly
#   0  8 * * 1-5 cd /srv/shop && /srv/shop/cron-example.sh remind
#   0  9 * * 1   cd /srv/shop && /srv/shop/cron-example.sh weekly
#
# Exit codes (see the README): 0 ok; 3 bad input; 4 done, but conflicts or possible
# duplicates wait in the _conflicts tab; 5 another run holds the lock (skip; the next run
# will do it); 6 temporary failure such as a rate limit (retried once below);
# 7 configuration; 8 done, but rows or cells were set aside in _quarantine (an import) or a
# digest could not be delivered (remind --email): what could be done was done.
# Cron mails whatever this script prints: it prints only what needs a person, and exits
# with the worst code of the night, so a 4 or an 8 is never mistaken for a clean run.
# SMTP passwords come from the environment (SHEETCRM_SMTP_PASSWORD), never arguments.
set -u
LOG=${SHEETCRM_LOG:-sheetcrm.log}
WORST=0

worst() {  # remember the most serious "done, but" of this run
  if [ "$1" -gt "$WORST" ]; then WORST=$1; fi
}

run() {  # run a sheetcrm command; retry once after a temporary failure; log JSON lines
  sheetcrm --log-json --quiet "$@" 2>>"$LOG"
  local code=$?
  if [ "$code" -eq 6 ]; then
    sleep 120
    sheetcrm --log-json --quiet "$@" 2>>"$LOG"
    code=$?
  fi
  case "$code" in
    0) return 0 ;;
    4) echo "sheetcrm $1: done; look at the _conflicts tab (teammates' edits, possible duplicates)"
       worst 4; return 0 ;;
    8) echo "sheetcrm $1: done, but something was set aside: sheetcrm quarantine list (an import), or see $LOG (an undelivered digest)"
       worst 8; return 0 ;;
    5) echo "sheetcrm $1: another run is writing; skipped" >>"$LOG"; return 0 ;;
    *) echo "sheetcrm $1 failed (exit $code); see $LOG"; return "$code" ;;
  esac
}

case "${1:-}" in
  nightly)
    for file in incoming/orders-*.csv; do
      [ -e "$file" ] || continue
      # an import that set rows aside still wrote the rest: the file is done with
      # (`sheetcrm quarantine retry` takes the rows again once the cause is fixed)
      run import "$file" --preset transactions && mv "$file" imported/
    done
    # customers kept in Excel on a Western Windows: saved as "CSV", so in code page 1252
    for file in incoming/customers-*.csv; do
      [ -e "$file" ] || continue
      run import "$file" --tab Customers --encoding cp1252 && mv "$file" imported/
    done
    run refresh || exit $?
    ;;
  remind) run remind --email --csv "winback-$(date +%F).csv" || exit $? ;;
  weekly) run report --period week --email "${REPORT_TO:?set REPORT_TO to the address of the manager}" || exit $? ;;
  *) echo "usage: $0 nightly|remind|weekly" >&2; exit 2 ;;
esac
exit "$WORST"
