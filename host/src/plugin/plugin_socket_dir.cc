#include "plugin/plugin_socket_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace runnel::host {
namespace {

namespace fs = std::filesystem;

constexpr char kPrefix[] = "runnel-";
constexpr char kLockName[] = ".lock";

// "runnel-<digits>" or a staging "runnel-<digits>.<anything>".
bool IsHostFolderName(const std::string& name) {
  const std::string prefix = kPrefix;
  if (name.compare(0, prefix.size(), prefix) != 0) return false;
  size_t i = prefix.size();
  size_t digits = 0;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) {
    ++i;
    ++digits;
  }
  return digits > 0 && (i == name.size() || name[i] == '.');
}

// A real folder (not a symlink) owned by this user.
bool IsOwnFolder(const fs::path& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
         st.st_uid == getuid();
}

// The folder's lock, taken without waiting; invalid when it is held by a
// live host or missing (a folder still being made).
UniqueFd TryLock(const fs::path& folder) {
  UniqueFd fd(
      open((folder / kLockName).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid() || flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return {};
  return fd;
}

// Makes base/runnel-<pid>.XXXXXX with its lock file created and held.
Status MakeLockedStagingFolder(const std::string& base, std::string* path,
                               UniqueFd* lock) {
  std::string pattern =
      (fs::path(base) / (kPrefix + std::to_string(getpid()) + ".XXXXXX"))
          .string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::Unavailable("cannot make a plugin socket folder in " + base +
                               ": " + std::strerror(errno));
  }
  UniqueFd fd(open((fs::path(pattern) / kLockName).c_str(),
                   O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid() || flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    const std::string why = std::strerror(errno);
    std::error_code ec;
    fs::remove_all(pattern, ec);
    return Status::Unavailable("cannot lock the plugin socket folder " +
                               pattern + ": " + why);
  }
  *path = pattern;
  *lock = std::move(fd);
  return Status::Ok();
}

}  // namespace

std::string DefaultSocketBase() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

std::vector<std::string> RemoveStaleSocketDirs(const std::string& base) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    const fs::path& folder = entry.path();
    if (!IsHostFolderName(folder.filename().string())) continue;
    if (!IsOwnFolder(folder)) continue;
    UniqueFd lock = TryLock(folder);
    if (!lock.valid()) continue;  // a live host's, or not ours to judge
    std::error_code remove_error;
    fs::remove_all(folder, remove_error);
    if (!remove_error) removed.push_back(folder.string());
  }
  return removed;
}

PluginSocketDir::PluginSocketDir(std::string path, UniqueFd lock,
                                 std::vector<std::string> removed)
    : path_(std::move(path)),
      lock_(std::move(lock)),
      removed_(std::move(removed)) {}

Status PluginSocketDir::Create(const std::string& base_flag,
                               std::unique_ptr<PluginSocketDir>* out) {
  const std::string base = base_flag.empty() ? DefaultSocketBase() : base_flag;
  std::vector<std::string> removed = RemoveStaleSocketDirs(base);
  std::string staging;
  UniqueFd lock;
  Status s = MakeLockedStagingFolder(base, &staging, &lock);
  if (!s.ok()) return s;
  // The final name, unless a live host in another pid namespace has it:
  // then the (equally unique and locked) staging name stays.
  std::string path =
      (fs::path(base) / (kPrefix + std::to_string(getpid()))).string();
  if (rename(staging.c_str(), path.c_str()) != 0) path = staging;
  out->reset(new PluginSocketDir(path, std::move(lock), std::move(removed)));
  return Status::Ok();
}

PluginSocketDir::~PluginSocketDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace runnel::host
