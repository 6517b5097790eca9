// CheckHealth: the "Test" button of a data source.
// Handlers are called concurrently; implementations must be thread-safe.
#ifndef RUNNEL_DIAGNOSTICS_H_
#define RUNNEL_DIAGNOSTICS_H_

#include <map>
#include <string>

#include "runnel/plugin_context.h"
#include "runnel/status.h"

namespace runnel {

enum class HealthStatus { kUnknown = 0, kOk = 1, kError = 2 };

struct CheckHealthRequest {
  PluginContext plugin_context;
  std::map<std::string, std::string> headers;
};

struct CheckHealthResult {
  HealthStatus status = HealthStatus::kUnknown;
  std::string message;
  std::string json_details;  // raw JSON or empty
};

class CheckHealthHandler {
 public:
  virtual ~CheckHealthHandler() = default;
  virtual Status CheckHealth(const CheckHealthRequest& req,
                             CheckHealthResult* result) = 0;
};

}  // namespace runnel

#endif  // RUNNEL_DIAGNOSTICS_H_
