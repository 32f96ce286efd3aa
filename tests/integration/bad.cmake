# Bad devices: misbehaving Redfish peers (bad_peer.py) through eventdrill run.
ed_integration_test(bad_devices bad_devices.sh)
# Hostile devices: hostile_peer.py abusing HTTP and TLS beside a healthy
# simulated target, in one run each (some 70 runs of a few seconds).
ed_integration_test(hostile_peer hostile_peer.sh)
set_tests_properties(integration.hostile_peer PROPERTIES TIMEOUT 1500)
