// PluginSocketDir: the host's own folder for its plugins' unix sockets,
// <base>/runnel-<pid> (base: $TMPDIR, else /tmp, where a go-plugin server
// would put its socket anyway), handed to every plugin as
// PLUGIN_UNIX_SOCKET_DIR.
//
// Why one folder per host: a host killed with SIGKILL cannot remove its
// plugins' sockets, and the plugins die with it (PR_SET_PDEATHSIG) before
// go-plugin's server can unlink its own. With all of them in one folder, the
// next host start removes that folder whole.
// Why named by pid and not by HTTP port: the port may be 0 (picked at bind
// time) and several hosts may share a machine; a pid is unique among live
// hosts and tells a person which process a folder belonged to.
//
// Liveness is a lock, not the pid: the owner holds an flock(2) on
// <folder>/.lock for its whole life, and the kernel drops it when the
// process dies, however it dies. Create() removes every runnel-<digits>
// folder in base whose lock it can take (its owner is gone). A live host's
// folder is never touched, even from another pid namespace sharing /tmp
// (where its pid could look dead or be reused). The folder is made under a
// temporary name (runnel-<pid>.XXXXXX) and renamed into place with its lock
// already held, so no host ever sees it unlocked.
//
// Thread-safety: Create() at start-up; the object is then immutable. The
// destructor removes the folder and releases the lock.
#ifndef RUNNEL_HOST_PLUGIN_PLUGIN_SOCKET_DIR_H_
#define RUNNEL_HOST_PLUGIN_PLUGIN_SOCKET_DIR_H_

#include <memory>
#include <string>
#include <vector>

#include "plugin/unique_fd.h"
#include "runnel/status.h"

namespace runnel::host {

// Where a go-plugin server makes its socket by default (Go's os.TempDir):
// $TMPDIR if set, else /tmp.
std::string DefaultSocketBase();

// Removes the folders of dead hosts in `base` (see above); returns their
// paths.
std::vector<std::string> RemoveStaleSocketDirs(const std::string& base);

class PluginSocketDir {
 public:
  // Removes stale folders in `base` ("" = DefaultSocketBase()), then makes
  // and locks this host's folder (mode 0700).
  static Status Create(const std::string& base,
                       std::unique_ptr<PluginSocketDir>* out);
  ~PluginSocketDir();
  PluginSocketDir(const PluginSocketDir&) = delete;
  PluginSocketDir& operator=(const PluginSocketDir&) = delete;

  const std::string& path() const { return path_; }
  // The stale folders Create() removed, for the log.
  const std::vector<std::string>& removed_stale() const { return removed_; }

 private:
  PluginSocketDir(std::string path, UniqueFd lock,
                  std::vector<std::string> removed);

  const std::string path_;
  const UniqueFd lock_;  // flock held while this host lives
  const std::vector<std::string> removed_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_PLUGIN_SOCKET_DIR_H_
