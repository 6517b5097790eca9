# Installs the SDK from RUNNEL_BUILD_DIR into a fresh prefix, builds
# PROJECT_DIR against it and checks that the plugin, started without the
# go-plugin cookie, exits 1 with the usual message. Removes its work dir.
foreach(var RUNNEL_BUILD_DIR PROJECT_DIR WORK_ROOT GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "${var} is not set")
  endif()
endforeach()

string(RANDOM LENGTH 8 suffix)
set(work ${WORK_ROOT}/out_of_tree_${suffix})
set(prefix ${work}/prefix)
file(REMOVE_RECURSE ${work})
file(MAKE_DIRECTORY ${work})

function(run step)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE ${work})
    message(FATAL_ERROR "${step} failed (${rc}):\n${out}\n${err}")
  endif()
endfunction()

run("install" ${CMAKE_COMMAND} --install ${RUNNEL_BUILD_DIR}
    --component sdk --prefix ${prefix})
if(NOT EXISTS ${prefix}/include/runnel/serve.h)
  message(FATAL_ERROR "headers were not installed")
endif()
set(configure_args -S ${PROJECT_DIR} -B ${work}/build -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
if(CXX_COMPILER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
endif()
if(COMPILER_LAUNCHER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER_LAUNCHER=${COMPILER_LAUNCHER})
endif()
if(EXE_LINKER_FLAGS)
  list(APPEND configure_args "-DCMAKE_EXE_LINKER_FLAGS=${EXE_LINKER_FLAGS}")
endif()
run("configure" ${CMAKE_COMMAND} ${configure_args})
run("build" ${CMAKE_COMMAND} --build ${work}/build)

execute_process(
  COMMAND ${CMAKE_COMMAND} -E env --unset=grafana_plugin_type
          ${work}/build/gpx_hello
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(REMOVE_RECURSE ${work})
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "expected exit code 1, got ${rc}\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT err MATCHES "This binary is a plugin")
  message(FATAL_ERROR "missing the not-a-plugin message; stderr: ${err}")
endif()
message(STATUS "out-of-tree plugin built against the installed SDK and exited 1 without the cookie")
