# The on-duty console (eventdrill watch) against a standalone simulator
# fleet: in a terminal (tmux), and as JSON lines with a hook.
ed_integration_test(watch_tui watch_tui.sh)
ed_integration_test(watch_json watch_json.sh)
# The console for a shift: critical at start, filter editing, stale
# figures, the detail pane, resizes.
ed_integration_test(watch_console watch_console.sh)
# The watch over devices simulated in-process ends and writes its report.
ed_integration_test(watch_inprocess watch_inprocess.sh)
# Device text with terminal escapes and markup, shown as data on the
# console, in the JSON lines and in the report.
ed_integration_test(watch_escapes watch_escapes.sh)
