// Where the host finds its files.
//   - The home path holds conf/defaults.ini; relative config paths start
//     there. Chosen as: --homepath; else the current directory if it has
//     conf/defaults.ini; else the folder above the executable's folder if it
//     has one (an install: <prefix>/bin/runnel + <prefix>/conf); else the
//     source tree the host was built from (a build: build/host/runnel).
//   - The executable's folder: plugins default to <it>/../plugins and the
//     panel page to <it>/web.
// Thread-safety: pure functions over the file system.
#ifndef RUNNEL_HOST_APP_HOST_PATHS_H_
#define RUNNEL_HOST_APP_HOST_PATHS_H_

#include <string>

namespace runnel::host {

// The folder of the running executable (/proc/self/exe), or "." if unknown.
std::string ExecutableDir();

// See above. `flag` is --homepath ("" if not given); `source_dir` is the
// source tree compiled in.
std::string ResolveHomePath(const std::string& flag,
                            const std::string& executable_dir,
                            const std::string& source_dir);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_APP_HOST_PATHS_H_
