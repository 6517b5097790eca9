// Everything a plugin author includes.
#ifndef RUNNEL_RUNNEL_H_
#define RUNNEL_RUNNEL_H_

#include "runnel/async_stream.h"
#include "runnel/data.h"
#include "runnel/diagnostics.h"
#include "runnel/frame.h"
#include "runnel/frame_arrow.h"
#include "runnel/frame_json.h"
#include "runnel/frame_meta.h"
#include "runnel/instance_manager.h"
#include "runnel/json_string.h"
#include "runnel/live_channel.h"
#include "runnel/log.h"
#include "runnel/metrics.h"
#include "runnel/plugin_context.h"
#include "runnel/resource.h"
#include "runnel/serve.h"
#include "runnel/status.h"
#include "runnel/stream.h"

#endif  // RUNNEL_RUNNEL_H_
