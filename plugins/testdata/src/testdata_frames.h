// The frames the testdata streams send, as empty (schema-only) frames:
//   "testdata": Time (time), Value, Min, Max (float64)
//   "labeled":  labels (string), Time (time), Value (float64)
//   "bench":    Time (time), Value (float64), sent_ns (int64: CLOCK_REALTIME
//               nanoseconds when the packet was sent)
// Thread-safety: pure functions returning fresh frames.
#ifndef RUNNEL_PLUGINS_TESTDATA_TESTDATA_FRAMES_H_
#define RUNNEL_PLUGINS_TESTDATA_TESTDATA_FRAMES_H_

#include "runnel/frame.h"
#include "stream_paths.h"

namespace runnel::testdata {

runnel::Frame TestdataFrame();
runnel::Frame LabeledFrame();
runnel::Frame BenchFrame();
// The frame a stream of this kind sends.
runnel::Frame FrameFor(StreamKind kind);

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_TESTDATA_FRAMES_H_
