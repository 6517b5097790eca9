// runnel_loadgen: the WebSocket load generator of Runnel's benchmarks.
// See options.cc for the flags and coordinator.h for what a run does.
#include <malloc.h>

#include <cstdio>
#include <string>

#include "coordinator.h"
#include "options.h"

int main(int argc, char** argv) {
  // A subscriber's partial frame (tens of KB) is buffered, consumed and
  // freed thousands of times a second. glibc would hand those pages back to
  // the kernel on each free and fault them in again on the next malloc,
  // which made page faults the load generator's largest cost in the push
  // scenario. Keep freed memory in the heap instead.
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  runnel::loadgen::Options options;
  std::string error;
  if (!runnel::loadgen::ParseOptions(argc, argv, &options, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 2;
  }
  return runnel::loadgen::RunCoordinator(options);
}
