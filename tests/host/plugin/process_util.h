// Test helpers for plugin processes: waiting for a condition, checking a
// pid is gone, writing fake plugin scripts. Not thread-safe.
#ifndef RUNNEL_TESTS_HOST_PLUGIN_PROCESS_UTIL_H_
#define RUNNEL_TESTS_HOST_PLUGIN_PROCESS_UTIL_H_

#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "support/wait_until.h"

namespace runnel::host {

using ::runnel::testing::WaitUntil;

// True when no live process has this pid (a zombie of someone else's
// counts as gone: it no longer runs).
inline bool ProcessGone(pid_t pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  try {
    text.assign(std::istreambuf_iterator<char>(stat),
                std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) {
    // The process was reaped between the open and the read (ESRCH), which
    // libstdc++ reports by throwing.
    return true;
  }
  size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return true;
  return text[paren + 2] == 'Z';
}

inline std::string WriteScript(const std::filesystem::path& path,
                               const std::string& body) {
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  chmod(path.c_str(), 0755);
  return path.string();
}

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

}  // namespace runnel::host

#endif  // RUNNEL_TESTS_HOST_PLUGIN_PROCESS_UTIL_H_
