# Builds the panel page: cmake -DNPM=... -DWEB_SOURCE_DIR=... -DWEB_OUT_DIR=... -P npm_build.cmake
#
# 1. `npm ci` in WEB_SOURCE_DIR when node_modules is missing or older than
#    package-lock.json (npm writes node_modules/.package-lock.json on install).
#    Several build dirs share that node_modules, so a lock file serializes them.
# 2. `vite build` into WEB_OUT_DIR (emptied first).
foreach(var NPM WEB_SOURCE_DIR WEB_OUT_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "npm_build.cmake: -D${var}=... is required")
  endif()
endforeach()

file(LOCK "${WEB_SOURCE_DIR}/.npm-build.lock" GUARD PROCESS TIMEOUT 900 RESULT_VARIABLE lock_result)
if(NOT lock_result EQUAL 0)
  message(FATAL_ERROR "npm_build.cmake: could not lock ${WEB_SOURCE_DIR}: ${lock_result}")
endif()

set(installed "${WEB_SOURCE_DIR}/node_modules/.package-lock.json")
if(NOT EXISTS "${installed}" OR "${WEB_SOURCE_DIR}/package-lock.json" IS_NEWER_THAN "${installed}")
  message(STATUS "host/web: npm ci")
  execute_process(
    COMMAND "${NPM}" ci --no-audit --no-fund
    WORKING_DIRECTORY "${WEB_SOURCE_DIR}"
    RESULT_VARIABLE ci_result)
  if(NOT ci_result EQUAL 0)
    message(FATAL_ERROR "host/web: npm ci failed (${ci_result})")
  endif()
endif()

message(STATUS "host/web: vite build --outDir ${WEB_OUT_DIR}")
execute_process(
  COMMAND "${NPM}" run --silent build -- --outDir "${WEB_OUT_DIR}" --emptyOutDir --logLevel warn
  WORKING_DIRECTORY "${WEB_SOURCE_DIR}"
  RESULT_VARIABLE build_result)
if(NOT build_result EQUAL 0)
  message(FATAL_ERROR "host/web: vite build failed (${build_result})")
endif()
