#include "app/host_paths.h"

#include <filesystem>

namespace runnel::host {
namespace {

namespace fs = std::filesystem;

bool HasDefaults(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "conf" / "defaults.ini", ec);
}

}  // namespace

std::string ExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return ".";
  return exe.parent_path().string();
}

std::string ResolveHomePath(const std::string& flag,
                            const std::string& executable_dir,
                            const std::string& source_dir) {
  std::error_code ec;
  if (!flag.empty()) return fs::absolute(flag, ec).lexically_normal().string();
  fs::path cwd = fs::current_path(ec);
  if (!ec && HasDefaults(cwd)) return cwd.string();
  fs::path above = fs::path(executable_dir).parent_path();
  if (HasDefaults(above)) return above.string();
  return source_dir;
}

}  // namespace runnel::host
