// The per-host plugin socket folder: made and locked at start, removed at a
// clean stop, and removed by the next start when its host died; never
// removed while its host lives.
#include "plugin/plugin_socket_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace runnel::host {
namespace {

using ::runnel::testing::TempDir;

namespace fs = std::filesystem;

// A folder as a host leaves it: a lock file and a (fake) socket.
fs::path MakeHostFolder(const fs::path& base, const std::string& name) {
  fs::create_directories(base / name);
  std::ofstream(base / name / ".lock");
  std::ofstream(base / name / "plugin123456") << "x";
  return base / name;
}

TEST(PluginSocketDir, IsNamedByPidLockedAndRemovedOnDestruction) {
  TempDir base;
  std::unique_ptr<PluginSocketDir> dir;
  ASSERT_TRUE(PluginSocketDir::Create(base.path(), &dir).ok());
  const fs::path path = dir->path();
  EXPECT_EQ(path, base.fs_path() / ("runnel-" + std::to_string(getpid())));
  EXPECT_TRUE(fs::is_directory(path));
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_all);
  // Locked: a second look does not call it stale.
  EXPECT_TRUE(RemoveStaleSocketDirs(base.path()).empty());
  EXPECT_TRUE(fs::is_directory(path));
  dir.reset();
  EXPECT_FALSE(fs::exists(path));
}

TEST(PluginSocketDir, RemovesTheFolderOfAHostThatDied) {
  TempDir base;
  const fs::path stale = MakeHostFolder(base.path(), "runnel-999999999");
  const fs::path staging = MakeHostFolder(base.path(), "runnel-7.aBc123");
  std::unique_ptr<PluginSocketDir> dir;
  ASSERT_TRUE(PluginSocketDir::Create(base.path(), &dir).ok());
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(staging));
  EXPECT_EQ(dir->removed_stale().size(), 2u);
}

TEST(PluginSocketDir, KeepsTheFolderOfALiveHost) {
  TempDir base;
  const fs::path live = MakeHostFolder(base.path(), "runnel-12");
  int held = open((live / ".lock").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_EQ(flock(held, LOCK_EX | LOCK_NB), 0);
  std::unique_ptr<PluginSocketDir> dir;
  ASSERT_TRUE(PluginSocketDir::Create(base.path(), &dir).ok());
  EXPECT_TRUE(fs::exists(live / "plugin123456"));
  EXPECT_TRUE(dir->removed_stale().empty());
  close(held);
}

TEST(PluginSocketDir, LeavesOtherFoldersAlone) {
  TempDir base;
  for (const char* name :
       {"runnel-test-abc", "runnel-12x", "runnel-", "plugin-dir", "runnel-5"}) {
    fs::create_directories(base.fs_path() / name);  // none has a lock file
  }
  std::unique_ptr<PluginSocketDir> dir;
  ASSERT_TRUE(PluginSocketDir::Create(base.path(), &dir).ok());
  for (const char* name :
       {"runnel-test-abc", "runnel-12x", "runnel-", "plugin-dir", "runnel-5"}) {
    EXPECT_TRUE(fs::exists(base.fs_path() / name)) << name;
  }
}

TEST(PluginSocketDir, AKilledOwnersFolderGoesAtTheNextCreate) {
  TempDir base;
  pid_t child = fork();
  if (child == 0) {
    std::unique_ptr<PluginSocketDir> dir;
    if (!PluginSocketDir::Create(base.path(), &dir).ok()) _exit(1);
    raise(SIGKILL);  // no destructor runs
    _exit(2);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  const fs::path left = base.fs_path() / ("runnel-" + std::to_string(child));
  ASSERT_TRUE(fs::is_directory(left));
  std::unique_ptr<PluginSocketDir> dir;
  ASSERT_TRUE(PluginSocketDir::Create(base.path(), &dir).ok());
  EXPECT_FALSE(fs::exists(left));
}

}  // namespace
}  // namespace runnel::host
