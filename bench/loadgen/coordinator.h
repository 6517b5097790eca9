// Coordinator: splits the connections over worker processes (each under the
// file limit), steps them through connect → warm-up → measure → stop, samples
// the watched server processes, and prints the merged result as one JSON
// line on stdout.
//
// Thread-safety: single-threaded; call once per process.
#ifndef RUNNEL_BENCH_LOADGEN_COORDINATOR_H_
#define RUNNEL_BENCH_LOADGEN_COORDINATOR_H_

#include "options.h"

namespace runnel::loadgen {

// Runs the whole load-generator run; returns a process exit code (0 when a
// result was printed, even if some connections failed: see its fields).
int RunCoordinator(const Options& options);

}  // namespace runnel::loadgen

#endif  // RUNNEL_BENCH_LOADGEN_COORDINATOR_H_
