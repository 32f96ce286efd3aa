# The driver SDK: the installed package, eventdrill-driver-test, the
# out-of-tree example
ed_integration_test(sdk_driver_test sdk_driver_test.sh)
ed_integration_test(sdk_in_tree_drivers sdk_in_tree_drivers.sh)
ed_integration_test(sdk_out_of_tree sdk_out_of_tree.sh)
ed_integration_test(sdk_doc sdk_doc.sh)
