# Bad devices: misbehaving Redfish peers (bad_peer.py) through eventdrill run.
ed_integration_test(bad_devices bad_devices.sh)
