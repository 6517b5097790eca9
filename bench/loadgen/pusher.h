// Pusher: the HTTP side of the push and publish benchmarks. It posts
// bodies over a few keep-alive connections: Influx line protocol to
// Grafana Live's push endpoint (POST /api/live/push/<streamId>), or one
// publication to its publish endpoint (POST /api/live/publish, the cluster
// benchmarks). Each connection sends its next body once the previous one
// was answered AND, with a progress board (delivery_progress.h) and a
// window of W bodies per connection, once fewer than W x connections bodies
// are ahead of the slowest subscriber: the pace is that of delivery, not of
// the answers. With a rate, bodies also leave on a fixed schedule (body i
// due at i / rate seconds after the start; a late one leaves as soon as a
// connection is free, with its real send time).
//
// Every body carries its send time (Unix nanoseconds): each line's last
// field `sent_ns`, or a publication's only value, so that a subscriber
// reads the latency off the message's last number (see ExtractSendNanos).
//
// Protocol with the coordinator (as a Worker's): on start it pushes one
// warm-up body (its frame carries the schema) and writes "READY <status>\n"
// to `report_fd`; on "M" from `control_fd` it starts pushing on every
// connection; on "S" it stops sending, waits for the answers in flight and
// (with a board) for the slowest subscriber to have every frame, or for
// drain_timeout_s without progress, and writes one "RESULT key=value ...\n"
// line: bodies answered, bodies every subscriber got and when the last of
// them arrived, its own CPU time.
//
// Thread-safety: single-threaded; one Pusher per process.
#ifndef RUNNEL_BENCH_LOADGEN_PUSHER_H_
#define RUNNEL_BENCH_LOADGEN_PUSHER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "delivery_progress.h"
#include "options.h"

namespace runnel::loadgen {

// A line protocol body of one measurement, `bench`, with fixed-width
// placeholders where each send writes its time.
struct PushBody {
  std::string text;
  std::vector<size_t> sent_offsets;  // 19-digit sent_ns values
  std::vector<size_t> time_offsets;  // 19-digit line timestamps (ns)
};

// `lines` lines like
//   bench,host=h07,region=r3 bytes=55433i,count=7i,load=0.07,sent_ns=<ns> <ts>
// (50 hosts x 4 regions; the values vary by line, not by body).
PushBody MakePushBody(int lines);

// {"channel":"<channel>","data":{"values":[[<sent_ns>]]}}: a one-field
// frame's values whose one number is the send time.
PushBody MakePublishBody(std::string_view channel);

// Writes `now_ns` (Unix nanoseconds) into every sent_ns and, as whole
// milliseconds ending at now, into the line timestamps (line i of n gets
// now_ms - (n - 1 - i)), so the frames need no sub-millisecond nanos.
void StampPushBody(int64_t now_ns, PushBody* body);

// Runs the pusher to completion; returns a process exit code. `board` may
// be null: then it pushes closed loop on the answers alone and cannot tell
// what the subscribers received. With a board and push_window 0 it pushes
// closed loop and reports delivery.
int RunPusher(const Options& options, int control_fd, int report_fd,
              ProgressBoard* board);

}  // namespace runnel::loadgen

#endif  // RUNNEL_BENCH_LOADGEN_PUSHER_H_
