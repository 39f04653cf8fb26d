#!/bin/sh
# A probe in the Prometheus textfile style: prints the depth of each spool directory.
# Used by recipes/extend_exec.yaml (README, "Extending f0").
echo '# HELP spool_files Files waiting in a spool directory.'
echo '# TYPE spool_files gauge'
for dir in /tmp /var/tmp; do
  n=$(find "$dir" -maxdepth 1 -type f 2>/dev/null | wc -l)
  echo "spool_files{dir=\"$dir\"} $n"
done
