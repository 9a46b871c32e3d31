"""Operating a running installation: backups (`backup`), restores (`restore`), and the archive format they share
(`archive`). Documented for administrators in docs/backup-and-upgrade.md."""
