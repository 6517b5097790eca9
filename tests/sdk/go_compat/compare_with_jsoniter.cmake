# ctest driver: cases -> jsoniter_writer.go -> compare.
# Needs -DCASES=<json_writer_cases> -DGO=<go> -DGO_FILE=<jsoniter_writer.go>
# -DGOPATH=<dir holding src/github.com/json-iterator/go> -DWORK=<scratch dir>.
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${CASES} inputs OUTPUT_FILE ${WORK}/inputs.txt
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "json_writer_cases inputs failed: ${rc}")
endif()
set(ENV{GOPATH} ${GOPATH})
set(ENV{GO111MODULE} off)
set(ENV{GOFLAGS} "")
set(ENV{GOCACHE} ${WORK}/gocache)
execute_process(COMMAND ${GO} run ${GO_FILE}
                INPUT_FILE ${WORK}/inputs.txt OUTPUT_FILE ${WORK}/jsoniter.txt
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "go run jsoniter_writer.go failed: ${rc}")
endif()
execute_process(COMMAND ${CASES} compare ${WORK}/jsoniter.txt
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "our JSON writers differ from jsoniter")
endif()
