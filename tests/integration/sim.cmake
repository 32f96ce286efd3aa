# Transport-level tests of the simulator (eventdrill-sim).
ed_integration_test(sim_transport sim_transport.sh)
ed_integration_test(sim_tls sim_tls.sh)
ed_integration_test(sim_control sim_control.sh)
ed_integration_test(sim_cli sim_cli.sh)
# The operator's commands (sensor, sel, patch, clock), "changes" at start
# and the access log's fields.
ed_integration_test(sim_ops sim_ops.sh)
# Hung requests freed when their clients give up or the hang ends; a low
# descriptor limit refused gracefully.
ed_integration_test(sim_hang_fds sim_hang_fds.sh)
