ed_integration_test(safety_recover safety_recover.sh)
ed_integration_test(disk_full disk_full.sh)
