#include "proc_status.h"

#include <fstream>
#include <string>

namespace runnel::testing {

std::optional<int64_t> ProcStatusField(pid_t pid, std::string_view field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    // "Threads:\t7" / "VmRSS:\t   12345 kB"
    if (line.size() <= field.size() || !line.starts_with(field) ||
        line[field.size()] != ':') {
      continue;
    }
    try {
      return std::stoll(line.substr(field.size() + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace runnel::testing
