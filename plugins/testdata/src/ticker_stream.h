// The ticking testdata streams (random-2s-stream, random-flakey-stream,
// random-labeled-stream, random-20Hz-stream[-N]): one data-only frame per
// tick of the path's interval, a share of ticks dropped at random, values
// from a random walk (Grafana testdata's stream_handler.go). Ticks follow
// Go's time.Ticker: a late tick fires at once and missed ones are dropped.
// A tick whose packet the SDK's full send queue refuses is dropped too.
// Thread-safety: runs on the stream's SDK callbacks only.
#ifndef RUNNEL_PLUGINS_TESTDATA_TICKER_STREAM_H_
#define RUNNEL_PLUGINS_TESTDATA_TICKER_STREAM_H_

#include <memory>

#include "stream_paths.h"
#include "stream_run.h"

namespace runnel::testdata {

// Starts ticking on `run`'s channel; runs until the stream ends.
void StartTickerStream(const StreamSpec& spec, std::shared_ptr<StreamRun> run);

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_TICKER_STREAM_H_
