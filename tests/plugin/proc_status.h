// ProcStatusField: one numeric field of /proc/<pid>/status ("Threads",
// "VmRSS" in kB, ...), for tests that bound a plugin's threads and memory.
// Thread-safety: pure (reads the file each call).
#ifndef RUNNEL_TESTS_PLUGIN_PROC_STATUS_H_
#define RUNNEL_TESTS_PLUGIN_PROC_STATUS_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace runnel::testing {

// The leading number of the field's value; nullopt if the process or the
// field does not exist.
std::optional<int64_t> ProcStatusField(pid_t pid, std::string_view field);

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_PLUGIN_PROC_STATUS_H_
