#include "random_walk.h"

namespace runnel::testdata {

RandomWalk::RandomWalk() : rng_(std::random_device{}()) {
  walker_ = Uniform() * 100;
}

double RandomWalk::Uniform() { return unit_(rng_); }

double RandomWalk::Step() {
  walker_ += Uniform() - 0.5;
  return walker_;
}

double RandomWalk::Min() { return walker_ - (Uniform() * kSpread + 0.01); }

double RandomWalk::Max() { return walker_ + (Uniform() * kSpread + 0.01); }

}  // namespace runnel::testdata
