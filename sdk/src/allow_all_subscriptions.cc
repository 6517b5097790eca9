// AllowAllSubscriptions(): the accept-everything SubscribeStream handler
// (runnel/stream.h), so plugins that serve any path need not write one.
#include <memory>

#include "runnel/stream.h"

namespace runnel {
namespace {

class AllowAll final : public SubscribeStreamHandler {
 public:
  Status SubscribeStream(const SubscribeStreamRequest& /*req*/,
                         SubscribeStreamResponse* resp) override {
    resp->status = StreamStatus::kOk;
    return Status::Ok();
  }
};

}  // namespace

std::shared_ptr<SubscribeStreamHandler> AllowAllSubscriptions() {
  return std::make_shared<AllowAll>();
}

}  // namespace runnel
