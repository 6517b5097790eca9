// CallResource: plain HTTP-like calls from the host to the plugin
// (/api/datasources/uid/<uid>/resources/<path>).
// Handlers are called concurrently; implementations must be thread-safe.
#ifndef RUNNEL_RESOURCE_H_
#define RUNNEL_RESOURCE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runnel/plugin_context.h"
#include "runnel/status.h"

namespace runnel {

using HttpHeaders = std::map<std::string, std::vector<std::string>>;

struct CallResourceRequest {
  PluginContext plugin_context;
  std::string path;
  std::string method;
  std::string url;
  HttpHeaders headers;
  std::string body;
};

struct CallResourceResponse {
  int32_t code = 200;
  HttpHeaders headers;
  std::string body;
};

class CallResourceHandler {
 public:
  virtual ~CallResourceHandler() = default;
  virtual Status CallResource(const CallResourceRequest& req,
                              CallResourceResponse* resp) = 0;
};

}  // namespace runnel

#endif  // RUNNEL_RESOURCE_H_
