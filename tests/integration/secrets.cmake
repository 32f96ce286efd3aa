# Secrets: no secret in any output of a run or on any command line; unsafe
# credentials files and plugin directories refused.
ed_integration_test(secrets_grep secrets_grep.sh)
ed_integration_test(secrets_drivers secrets_drivers.sh)
