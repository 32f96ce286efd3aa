# The IPMI driver against OpenIPMI's ipmi_sim on loopback (a free UDP port
# per run), cross-checked with ipmitool and FreeIPMI's tools.
ed_integration_test(ipmi_crosscheck ipmi_crosscheck.sh)
ed_integration_test(ipmi_drill ipmi_drill.sh)
