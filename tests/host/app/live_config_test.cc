// MakeLiveConfig: io_threads = 0 means one event loop per core the process
// may run on, read from its CPU affinity as taskset or a cpuset sets it.
#include <gtest/gtest.h>
#include <sched.h>

#include "app/host.h"

namespace runnel::host {
namespace {

// Restricts the calling thread (which sched_getaffinity(0) reads) to the
// first `count` CPUs of its mask for the test's lifetime.
class AffinityScope {
 public:
  explicit AffinityScope(int count) {
    sched_getaffinity(0, sizeof(saved_), &saved_);
    cpu_set_t narrowed;
    CPU_ZERO(&narrowed);
    int kept = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && kept < count; ++cpu) {
      if (CPU_ISSET(cpu, &saved_)) {
        CPU_SET(cpu, &narrowed);
        ++kept;
      }
    }
    applied_ = sched_setaffinity(0, sizeof(narrowed), &narrowed) == 0;
  }
  ~AffinityScope() { sched_setaffinity(0, sizeof(saved_), &saved_); }
  bool applied() const { return applied_; }

 private:
  cpu_set_t saved_;
  bool applied_ = false;
};

int CpusInMask() {
  cpu_set_t mask;
  EXPECT_EQ(sched_getaffinity(0, sizeof(mask), &mask), 0);
  return CPU_COUNT(&mask);
}

TEST(MakeLiveConfigTest, DefaultIoThreadsFollowTheAffinityMask) {
  Config config;
  config.live.io_threads = 0;
  EXPECT_EQ(MakeLiveConfig(config).io_threads, CpusInMask());

  AffinityScope one_cpu(1);
  ASSERT_TRUE(one_cpu.applied());
  EXPECT_EQ(MakeLiveConfig(config).io_threads, 1);
}

TEST(MakeLiveConfigTest, ExplicitIoThreadsIgnoreTheAffinityMask) {
  Config config;
  config.live.io_threads = 3;
  AffinityScope one_cpu(1);
  ASSERT_TRUE(one_cpu.applied());
  EXPECT_EQ(MakeLiveConfig(config).io_threads, 3);
}

}  // namespace
}  // namespace runnel::host
