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

// Sends a reply in pieces, each one CallResourceResponse message: the host
// takes the code and headers of the first and the body of every one (as the
// Go SDK's CallResourceResponseSender). Send returns false once the host has
// gone (the call was cancelled): stop sending then.
class CallResourceResponseSender {
 public:
  virtual ~CallResourceResponseSender() = default;
  virtual bool Send(const CallResourceResponse& piece) = 0;
};

class CallResourceHandler {
 public:
  virtual ~CallResourceHandler() = default;
  virtual Status CallResource(const CallResourceRequest& req,
                              CallResourceResponse* resp) = 0;
  // What the SDK calls. Override it to answer in several messages (a large
  // or slowly made reply); the default sends CallResource's reply as one.
  virtual Status StreamResource(const CallResourceRequest& req,
                                CallResourceResponseSender& sender) {
    CallResourceResponse resp;
    Status status = CallResource(req, &resp);
    if (status.ok()) sender.Send(resp);
    return status;
  }
};

}  // namespace runnel

#endif  // RUNNEL_RESOURCE_H_
