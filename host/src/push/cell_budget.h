// CellBudget: counts the values a conversion creates against a limit, so
// a hostile body is refused before it costs memory (see telegraf_frames.h).
// A plain counter owned by one conversion.
#ifndef RUNNEL_HOST_PUSH_CELL_BUDGET_H_
#define RUNNEL_HOST_PUSH_CELL_BUDGET_H_

#include <cstddef>
#include <string>

#include "runnel/status.h"

namespace runnel::host {

class CellBudget {
 public:
  explicit CellBudget(size_t max) : max_(max) {}

  // Takes n cells; InvalidArgument (and nothing taken) when that would
  // pass the max.
  Status Take(size_t n) {
    if (n > max_ - used_) {
      return Status::InvalidArgument("the frames would hold more than " +
                                     std::to_string(max_) + " values");
    }
    used_ += n;
    return Status::Ok();
  }

 private:
  size_t max_;
  size_t used_ = 0;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_CELL_BUDGET_H_
