// ProcessSample: CPU time and resident memory of a running process, read
// from /proc/<pid>/stat and /proc/<pid>/statm (Linux only).
//
// Thread-safety: free function, no state.
#ifndef RUNNEL_BENCH_LOADGEN_PROC_STAT_H_
#define RUNNEL_BENCH_LOADGEN_PROC_STAT_H_

#include <sys/types.h>

#include <optional>
#include <vector>

namespace runnel::loadgen {

struct ProcessSample {
  double cpu_seconds = 0;  // utime + stime of the process (not its children)
  long rss_kb = 0;         // resident set size
};

// The sample, or nullopt when the process does not exist (any more).
std::optional<ProcessSample> SampleProcess(pid_t pid);

// CPU seconds the whole machine spent busy since boot, all cores (from the
// first line of /proc/stat: everything but idle and iowait); 0 if unreadable.
double MachineBusySeconds();

// The direct children of `pid` now (from /proc/<pid>/task/*/children).
std::vector<pid_t> ChildrenOf(pid_t pid);

}  // namespace runnel::loadgen

#endif  // RUNNEL_BENCH_LOADGEN_PROC_STAT_H_
