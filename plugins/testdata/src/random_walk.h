// RandomWalk: the value generator of Grafana's testdata streams. The walker
// moves by a random step in [-0.5, 0.5); Min/Max lie a random spread of
// (rand*50 + 0.01) below/above it.
// Thread-safety: none; one walk per stream.
#ifndef RUNNEL_PLUGINS_TESTDATA_RANDOM_WALK_H_
#define RUNNEL_PLUGINS_TESTDATA_RANDOM_WALK_H_

#include <random>

namespace runnel::testdata {

class RandomWalk {
 public:
  RandomWalk();  // seeded from std::random_device; starts at rand*100

  // Moves the walker one step and returns its new value.
  double Step();
  double value() const { return walker_; }
  // walker - (rand*spread + 0.01) and walker + (rand*spread + 0.01).
  double Min();
  double Max();
  // Uniform in [0, 1); also used for drop decisions.
  double Uniform();

  static constexpr double kSpread = 50.0;

 private:
  // A small engine (about 100 bytes of state, against mt19937_64's 2.5 KB):
  // a plugin may hold ten thousand walks, one per running stream.
  std::ranlux48_base rng_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
  double walker_;
};

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_RANDOM_WALK_H_
