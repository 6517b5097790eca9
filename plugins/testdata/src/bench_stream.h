// The benchmark stream bench/<N>hz: N one-row "bench" frames per second
// (Time, Value, sent_ns), data-only, paced by an absolute schedule: packet k
// is due at start + k/N. A timer ticks every 1/N s (at most every 1 ms) and
// sends every packet already due in one batch; a backlog of more than
// 100 ms of packets is skipped rather than burst. When the SDK's send queue
// is full the batch stops and the packets stay due, so a slow host slows the
// stream down instead of losing packets in the middle of it. sent_ns is
// CLOCK_REALTIME nanoseconds taken right before the send, so a receiver
// computes latency as recv_ns - sent_ns.
// Thread-safety: runs on the stream's SDK callbacks only.
#ifndef RUNNEL_PLUGINS_TESTDATA_BENCH_STREAM_H_
#define RUNNEL_PLUGINS_TESTDATA_BENCH_STREAM_H_

#include <cstdint>
#include <memory>

#include "stream_run.h"

namespace runnel::testdata {

// Starts the schedule on `run`'s channel; runs until the stream ends.
void StartBenchStream(int64_t rate_hz, std::shared_ptr<StreamRun> run);

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_BENCH_STREAM_H_
