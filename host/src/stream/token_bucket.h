// TokenBucket: allows `rate` events per second on average and bursts of up
// to `burst`. Time is passed in, so it is a plain value that tests drive
// without clocks. Not thread-safe; the owner locks.
#ifndef RUNNEL_HOST_STREAM_TOKEN_BUCKET_H_
#define RUNNEL_HOST_STREAM_TOKEN_BUCKET_H_

#include <chrono>

namespace runnel::host {

class TokenBucket {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Starts full. rate > 0, burst >= 1.
  TokenBucket(double rate, double burst, TimePoint now);

  // Takes one token if there is one.
  bool TryTake(TimePoint now);
  // True once the bucket has refilled to the brim by `now`: it then behaves
  // like a new one and its owner may forget it.
  bool Full(TimePoint now) const;

 private:
  double TokensAt(TimePoint now) const;

  double rate_;
  double burst_;
  double tokens_;
  TimePoint updated_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_TOKEN_BUCKET_H_
