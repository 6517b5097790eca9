// RealtimeNanos: CLOCK_REALTIME in nanoseconds since the Unix epoch, the
// time the testdata streams stamp their rows with.
// Thread-safety: pure.
#ifndef RUNNEL_PLUGINS_TESTDATA_REALTIME_H_
#define RUNNEL_PLUGINS_TESTDATA_REALTIME_H_

#include <time.h>

#include <cstdint>

namespace runnel_testdata {

inline int64_t RealtimeNanos() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace runnel_testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_REALTIME_H_
