// Health: the testdata plugin's CheckHealth; always OK (it has nothing
// external to check). Thread-safety: stateless.
#ifndef RUNNEL_PLUGINS_TESTDATA_HEALTH_H_
#define RUNNEL_PLUGINS_TESTDATA_HEALTH_H_

#include "runnel/diagnostics.h"

namespace runnel::testdata {

inline constexpr const char* kHealthMessage = "Data source is working";

class Health final : public runnel::CheckHealthHandler {
 public:
  runnel::Status CheckHealth(const runnel::CheckHealthRequest& req,
                             runnel::CheckHealthResult* result) override;
};

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_HEALTH_H_
