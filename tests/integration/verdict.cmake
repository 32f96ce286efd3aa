# One verdict model: every output of a run (exit status, terminal,
# summary.json, the rebuilt summary, JUnit, report.html) tells the same.
ed_integration_test(verdict_matrix verdict_matrix.sh)
