# The IPMI driver against OpenIPMI's ipmi_sim on loopback (a free UDP port
# per run), cross-checked with ipmitool and FreeIPMI's tools.
ed_integration_test(ipmi_crosscheck ipmi_crosscheck.sh)
ed_integration_test(ipmi_drill ipmi_drill.sh)
# inspect through the IPMI driver's health collection.
ed_integration_test(ipmi_inspect ipmi_inspect.sh)

# ipmi_sim's chassis control, a module it loads (tests/peers/ipmisim_chassis.c):
# the power state lives in ipmi_sim instead of a program it runs per request.
# It is built against OpenIPMI's lanserv headers (Debian: libopenipmi-dev);
# without them ipmi_lib.sh falls back to a control script and says so.
find_path(ED_OPENIPMI_INCLUDE OpenIPMI/mcserv.h)
if(ED_OPENIPMI_INCLUDE)
  add_library(ipmisim_chassis MODULE
    "${PROJECT_SOURCE_DIR}/tests/peers/ipmisim_chassis.c")
  # ipmi_sim is not built with the sanitizers: the module must not need
  # their runtime, so it keeps only the warning flags.
  set_target_properties(ipmisim_chassis PROPERTIES PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests/peers"
    COMPILE_OPTIONS "-Wall;-Wextra;-Werror;-D_GNU_SOURCE"
    LINK_OPTIONS "")
  target_include_directories(ipmisim_chassis SYSTEM PRIVATE
    "${ED_OPENIPMI_INCLUDE}")
else()
  message(WARNING "OpenIPMI's headers (OpenIPMI/mcserv.h, Debian package "
    "libopenipmi-dev) not found: the IPMI tests' ipmi_sim will run a chassis "
    "control script per request, and bench/ipmi-vs-tools.sh refuses to run")
endif()
ed_integration_test(ipmi_login_once ipmi_login_once.sh)
