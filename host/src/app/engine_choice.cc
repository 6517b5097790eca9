#include "app/engine_choice.h"

#include "engine/memory_engine.h"

namespace runnel::host {

Status MakeEngine(const LiveSettings& live, Hub& hub,
                  std::unique_ptr<Engine>* engine) {
  const auto kept = static_cast<size_t>(live.push_max_channels);
  if (live.ha_engine.empty()) {
    *engine = std::make_unique<MemoryEngine>(hub, kept);
    return Status::Ok();
  }
  return Status::InvalidArgument("[live] ha_engine = " + live.ha_engine +
                                 ": not built yet");
}

}  // namespace runnel::host
