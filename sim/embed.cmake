# The default mockup, compiled in: sim/CMakeLists.txt includes this file and
# adds ${ED_SIM_EMBED_SOURCES} to the edsim library. The C source is
# generated at configure time (so any target in any folder can compile it);
# editing, adding or removing a file of the mockup re-runs the configure.
set(_ed_embed_in "${CMAKE_CURRENT_LIST_DIR}/mockups/default")
set(_ed_embed_out "${CMAKE_BINARY_DIR}/sim/default_mockup.c")
file(GLOB_RECURSE _ed_embed_files CONFIGURE_DEPENDS
  "${_ed_embed_in}/*index.json")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${_ed_embed_files} "${CMAKE_CURRENT_LIST_DIR}/embed_gen.cmake")

get_property(_ed_embed_done GLOBAL PROPERTY ED_SIM_EMBED_DONE)
if(NOT _ed_embed_done)
  file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/sim")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" "-DIN_DIR=${_ed_embed_in}"
            "-DOUT=${_ed_embed_out}"
            "-DHEADER=${CMAKE_CURRENT_LIST_DIR}/mockup.h"
            -P "${CMAKE_CURRENT_LIST_DIR}/embed_gen.cmake"
    RESULT_VARIABLE _ed_embed_rc)
  if(NOT _ed_embed_rc EQUAL 0)
    message(FATAL_ERROR "sim/embed.cmake: cannot embed ${_ed_embed_in}")
  endif()
  set_property(GLOBAL PROPERTY ED_SIM_EMBED_DONE TRUE)
endif()
set(ED_SIM_EMBED_SOURCES "${_ed_embed_out}")
