// runnel_loadgen: the WebSocket load generator of Runnel's benchmarks.
// See options.cc for the flags and coordinator.h for what a run does.
#include <cstdio>
#include <string>

#include "coordinator.h"
#include "options.h"

int main(int argc, char** argv) {
  runnel::loadgen::Options options;
  std::string error;
  if (!runnel::loadgen::ParseOptions(argc, argv, &options, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 2;
  }
  return runnel::loadgen::RunCoordinator(options);
}
