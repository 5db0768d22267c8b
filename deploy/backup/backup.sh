#!/bin/sh
# The compose "backup" service: pg_dump of the whole database (custom format, as the owner role)
# into /backups every BACKUP_INTERVAL_SECONDS, keeping BACKUP_KEEP_DAYS days of dumps.
# A dump is written under a temporary name and renamed when complete, so a half-written file is
# never taken for a backup. Restore: README "Backups and restore".
set -eu

: "${BACKUP_KEEP_DAYS:=14}"
: "${BACKUP_INTERVAL_SECONDS:=86400}"

while true; do
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    partial="/backups/.tsunagu-$stamp.dump.partial"
    if pg_dump --format=custom --file="$partial"; then
        mv "$partial" "/backups/tsunagu-$stamp.dump"
        echo "backup: /backups/tsunagu-$stamp.dump"
    else
        rm -f "$partial"
        echo "backup FAILED at $stamp" >&2
    fi
    find /backups -name 'tsunagu-*.dump' -mtime +"$BACKUP_KEEP_DAYS" -delete
    sleep "$BACKUP_INTERVAL_SECONDS"
done
