# The simulator's Redfish behaviour through real clients and every mockup.
ed_integration_test(sim_clients sim_clients.sh)
ed_integration_test(sim_mockups sim_mockups.sh)
