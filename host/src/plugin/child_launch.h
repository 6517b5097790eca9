// LaunchChild: fork + exec of a plugin executable, set up the way a
// go-plugin host runs plugins (hashicorp/go-plugin client.go): stdin from
// /dev/null, stdout and stderr into pipes the caller reads. Besides, the
// child leads its own process group (so the whole group can be killed) and
// has PR_SET_PDEATHSIG=SIGKILL, which fires when the *thread* that launched
// it exits: launch from a thread that lives as long as the plugin should.
// The host's other descriptors (sockets, other plugins' pipes) are closed in
// the child.
//
// Thread-safety: may be called from any thread. Between fork and exec the
// child makes async-signal-safe calls only (everything is prepared before
// the fork).
#ifndef RUNNEL_HOST_PLUGIN_CHILD_LAUNCH_H_
#define RUNNEL_HOST_PLUGIN_CHILD_LAUNCH_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "plugin/unique_fd.h"
#include "runnel/status.h"

namespace runnel::host {

struct LaunchSpec {
  std::string executable_path;
  std::vector<std::string> env;  // "K=V", the child's whole environment
  std::string working_dir;       // "" = inherit the host's
};

struct LaunchedChild {
  pid_t pid = -1;
  UniqueFd stdout_read;
  UniqueFd stderr_read;
};

// Returns once the exec has happened. If it could not (missing file, no
// permission, bad working_dir) the child has already been reaped and the
// Unavailable status says "cannot run <path>: <reason>".
Status LaunchChild(const LaunchSpec& spec, LaunchedChild* child);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_CHILD_LAUNCH_H_
