# runnel_layer(<target> USES <layer>...): the host's layers are folders of
# host/src (config, plugin, stream, live, engine, push, query, app). A layer's
# sources may include its own headers and those of the layers it names in
# USES, which must be what it links. Checked when CMake configures, so an
# include that crosses into a layer the target does not link fails the
# build, not a review.
# OWN_HEADERS narrows the target's own folder to the headers listed: the hub
# shares host/src/live with the socket side and must not include it.
# Each layer's headers are reached through an include root of its own, a
# build-tree folder holding only a link named after the layer (so
# "live/hub.h" resolves there). A target gets a layer's root only by linking
# that layer's library, so a missing link fails the compile as well as the
# configure-time check below.
function(runnel_layer_include_root target)
  get_target_property(dir ${target} SOURCE_DIR)
  get_filename_component(layer ${dir} NAME)
  set(root ${CMAKE_BINARY_DIR}/layer_include/${layer})
  file(MAKE_DIRECTORY ${root})
  if(NOT EXISTS ${root}/${layer})
    file(CREATE_LINK ${dir} ${root}/${layer} SYMBOLIC)
  endif()
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${root}>)
endfunction()

function(runnel_layer target)
  cmake_parse_arguments(ARG "" "" "USES;OWN_HEADERS" ${ARGN})
  runnel_layer_include_root(${target})
  get_target_property(sources ${target} SOURCES)
  get_target_property(dir ${target} SOURCE_DIR)
  get_filename_component(own ${dir} NAME)
  set(allowed ${own} ${ARG_USES})
  foreach(source ${sources})
    get_filename_component(stem ${source} NAME_WE)
    foreach(file ${dir}/${stem}.cc ${dir}/${stem}.h)
      if(NOT EXISTS ${file})
        continue()
      endif()
      file(STRINGS ${file} includes REGEX "^#include \"[a-z_]+/")
      foreach(line ${includes})
        string(REGEX REPLACE "^#include \"([a-z_]+)/.*" "\\1" layer "${line}")
        if(NOT layer MATCHES "^(config|plugin|stream|live|engine|push|query|app)$")
          continue()  # not a host layer: the SDK's runnel/, absl/, ...
        endif()
        if(NOT layer IN_LIST allowed)
          message(FATAL_ERROR "${file}: includes ${layer}/ but ${target} "
                  "may only use ${allowed} (runnel_layer in ${dir})")
        endif()
        string(REGEX REPLACE "^#include \"[a-z_]+/([^\"]+)\".*" "\\1"
               header "${line}")
        if(layer STREQUAL own AND ARG_OWN_HEADERS AND
           NOT header IN_LIST ARG_OWN_HEADERS)
          message(FATAL_ERROR "${file}: includes ${own}/${header}, which is "
                  "not part of ${target} (runnel_layer in ${dir})")
        endif()
      endforeach()
    endforeach()
  endforeach()
endfunction()
