#include "plugin/cancel_signal.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace runnel::host {

CancelSignal::CancelSignal() : event_(eventfd(0, EFD_CLOEXEC)) {}

void CancelSignal::Cancel() {
  if (cancelled_.exchange(true)) return;
  if (!event_.valid()) return;
  // Nobody reads it back: the counter stays non-zero, so the fd stays
  // readable for every later poll too.
  const uint64_t one = 1;
  (void)!write(event_.get(), &one, sizeof one);
}

}  // namespace runnel::host
