// MakeEngine: the engine `[live] ha_engine` names: memory ("") or Redis.
// Thread-safety: call once, at start.
#ifndef RUNNEL_HOST_APP_ENGINE_CHOICE_H_
#define RUNNEL_HOST_APP_ENGINE_CHOICE_H_

#include <memory>

#include "config/config.h"
#include "engine/engine.h"
#include "live/hub.h"
#include "runnel/status.h"

namespace runnel::host {

// An error names the setting that is wrong (a bad ha_engine_address). A
// Redis that cannot be reached is not an error: the engine starts degraded
// and keeps trying.
Status MakeEngine(const LiveSettings& live, Hub& hub,
                  std::unique_ptr<Engine>* engine);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_APP_ENGINE_CHOICE_H_
