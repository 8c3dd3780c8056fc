#!/usr/bin/env bash
# Serve the web app and run the scheduler side by side; Ctrl-C (or either one dying) stops both.
set -u
: "${FLASK:=.venv/bin/flask --app app}"
: "${PORT:=5000}"
pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; }
trap stop INT TERM EXIT

$FLASK run --host 127.0.0.1 --port "$PORT" --no-reload &
pids+=($!)
# The scheduler is its own process (never inside web workers).
if $FLASK scheduler --help >/dev/null 2>&1; then
  $FLASK scheduler run &
  pids+=($!)
fi
echo
echo "groupadmin is on http://127.0.0.1:$PORT — Ctrl-C stops it."
$FLASK seed-demo --help >/dev/null 2>&1 && .venv/bin/python -c "from groupadmin.demo import demo_summary; print(demo_summary())"
wait -n "${pids[@]}"
