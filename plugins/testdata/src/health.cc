#include "health.h"

namespace runnel::testdata {

runnel::Status Health::CheckHealth(const runnel::CheckHealthRequest& /*req*/,
                                   runnel::CheckHealthResult* result) {
  result->status = runnel::HealthStatus::kOk;
  result->message = kHealthMessage;
  return runnel::Status::Ok();
}

}  // namespace runnel::testdata
