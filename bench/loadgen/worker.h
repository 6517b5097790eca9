// Worker: one process's share of the connections, driven by one epoll loop.
//
// It opens `count` connections (handshake, connect, subscribe), writes
// "READY <subscribed>\n" to `report_fd` once all are subscribed (or it gave
// up), then waits on `control_fd` for "M" (start measuring) and "S" (stop),
// and finally writes one "RESULT key=value ...\n" line and returns. "C"
// asks for "COUNT <publications received in the window>\n" (push mode).
// Answers WebSocket pings and v2 `{}` pings all along. With a board (push
// mode), from "M" on it keeps the count of its slowest subscriber in slot
// `worker_index` of the board (see delivery_progress.h).
//
// Thread-safety: single-threaded; one Worker per process.
#ifndef RUNNEL_BENCH_LOADGEN_WORKER_H_
#define RUNNEL_BENCH_LOADGEN_WORKER_H_

#include "delivery_progress.h"
#include "options.h"

namespace runnel::loadgen {

struct WorkerSlice {
  int first_index = 0;  // global index of the first connection (source addr)
  int count = 0;
  int worker_index = 0;  // its slot on the progress board
};

// Runs the worker to completion; returns a process exit code.
// `board` may be null (no push mode).
int RunWorker(const Options& options, WorkerSlice slice, int control_fd,
              int report_fd, ProgressBoard* board);

}  // namespace runnel::loadgen

#endif  // RUNNEL_BENCH_LOADGEN_WORKER_H_
