// The benchmark stream bench/<N>hz: N one-row "bench" frames per second
// (Time, Value, sent_ns), data-only, paced by an absolute schedule: packet k
// is due at start + k/N. When the sender falls behind, every packet already
// due goes out in one batch; a backlog of more than 100 ms of packets is
// skipped rather than burst. sent_ns is CLOCK_REALTIME nanoseconds taken
// right before the send, so a receiver computes latency as recv_ns - sent_ns.
// Thread-safety: runs on the RunStream thread only.
#ifndef RUNNEL_PLUGINS_TESTDATA_BENCH_STREAM_H_
#define RUNNEL_PLUGINS_TESTDATA_BENCH_STREAM_H_

#include <cstdint>

#include "runnel/status.h"
#include "runnel/stream.h"

namespace runnel_testdata {

// Returns Ok when the host cancels the stream.
runnel::Status RunBenchStream(int64_t rate_hz, runnel::StreamSender& sender);

}  // namespace runnel_testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_BENCH_STREAM_H_
