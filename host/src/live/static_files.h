// Static files for the web panel: maps a URL path to a file under a root
// directory, with its Content-Type and caching headers. Refuses any path
// that would leave the root. Thread-safety: pure functions (read files).
#ifndef RUNNEL_HOST_LIVE_STATIC_FILES_H_
#define RUNNEL_HOST_LIVE_STATIC_FILES_H_

#include <string>
#include <string_view>

#include "live/http_types.h"

namespace runnel::host {

// Content-Type for a file name by extension; application/octet-stream if
// unknown.
std::string_view ContentTypeFor(std::string_view file_name);

// Serves `url_path` ("/", "/assets/app-1a2b.js") from `root`: "/" and
// directories mean index.html. 404 if missing, 400 for traversal attempts.
// index.html gets Cache-Control no-cache; files under /assets/ a year,
// immutable; others no-cache.
HttpResponse ServeStaticFile(const std::string& root,
                             std::string_view url_path);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_STATIC_FILES_H_
