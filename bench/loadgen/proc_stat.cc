#include "proc_stat.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace runnel::loadgen {

std::optional<ProcessSample> SampleProcess(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  std::ifstream stat_file(dir + "/stat");
  std::string stat;
  if (!stat_file || !std::getline(stat_file, stat)) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces; the
  // fields after the last ')' start with field 3 (state).
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (index == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  std::ifstream statm_file(dir + "/statm");
  long size_pages = 0, resident_pages = 0;
  if (!(statm_file >> size_pages >> resident_pages)) return std::nullopt;
  ProcessSample sample;
  sample.cpu_seconds =
      static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
  sample.rss_kb = resident_pages * (sysconf(_SC_PAGESIZE) / 1024);
  return sample;
}

double MachineBusySeconds() {
  std::ifstream file("/proc/stat");
  std::string label;
  if (!(file >> label) || label != "cpu") return 0;
  // user nice system idle iowait irq softirq steal (guest time is in user).
  unsigned long long ticks[8] = {};
  for (auto& tick : ticks) {
    if (!(file >> tick)) return 0;
  }
  const unsigned long long busy =
      ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7];
  return static_cast<double>(busy) / sysconf(_SC_CLK_TCK);
}

std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> children;
  std::error_code error;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream file(task.path() / "children");
    long child = 0;
    while (file >> child) children.push_back(static_cast<pid_t>(child));
  }
  return children;
}

}  // namespace runnel::loadgen
